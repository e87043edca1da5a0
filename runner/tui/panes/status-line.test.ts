import { describe, expect, it } from 'vitest';
import type { InstanceView } from '../../engine/api.ts';
import { initialUi, type UiState } from '../ui-state.ts';
import { statusLine } from './status-line.ts';

/** The line without its padding and the key hint. */
const text = (ui: UiState, instances: InstanceView[]) =>
  statusLine(ui, 80, instances)
    .map((s) => s.text)
    .join('')
    .replace(/ +\? help {2}q quit$/, '');
const view = (state: InstanceView['state']): InstanceView => ({
  instance: 'greeter-srv-1',
  service: 'greeter-srv',
  tier: 'srv',
  runtime: 'worker',
  state,
  restarts: 1,
  faults: [],
});

describe('status line', () => {
  const restarting: UiState = { ...initialUi, status: { text: 'greeter-srv-1 restarting', tone: 'ok', follow: 'greeter-srv-1' } };

  it('follows a restarted instance: its state on the way, then "ready" once it is back', () => {
    expect(text(restarting, [view('starting')])).toBe('greeter-srv-1 restarting (now starting)');
    expect(text(restarting, [view('ready')])).toBe('greeter-srv-1 ready');
    expect(text(restarting, [view('failed')])).toBe('greeter-srv-1 restarting (now failed)');
  });

  it('keeps a plain reply as it is', () => {
    const ui: UiState = { ...initialUi, status: { text: 'latency on for greeter-srv-1', tone: 'ok' } };
    expect(text(ui, [view('ready')])).toBe('latency on for greeter-srv-1');
  });

  it('shows the end of a typed prompt too long for the line, the cursor in sight', () => {
    const path = '/tmp/micro-dev-tests-abcdef/micro-dev-ui-step-traces-ghijkl/' + 'scenario-'.repeat(6) + 'latency.yaml';
    const ui: UiState = { ...initialUi, mode: 'prompt-scenario', draft: path };
    const line = text(ui, []);
    expect(line).toHaveLength(80);
    expect(line.startsWith('scenario name: …')).toBe(true);
    expect(line.endsWith('latency.yaml_')).toBe(true);
    expect(path.endsWith(line.slice('scenario name: …'.length, -1))).toBe(true);
    // a short draft as it is
    expect(text({ ...ui, draft: 'slow-replica' }, []).trimEnd()).toBe('scenario name: slow-replica_');
    expect(text({ ...initialUi, mode: 'filter', draft: 'x'.repeat(100) }, [])).toBe('/…' + 'x'.repeat(77) + '_');
  });
});
