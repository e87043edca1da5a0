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
});
