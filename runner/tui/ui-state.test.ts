import { describe, expect, it } from 'vitest';
import type { InstanceView } from '../engine/api.ts';
import { initialUi, reduceKey, type KeyInfo, type UiState } from './ui-state.ts';

const view = (instance: string, state: InstanceView['state'] = 'ready'): InstanceView => ({
  instance,
  service: instance.replace(/-\d+$/, ''),
  tier: 'srv',
  runtime: 'worker',
  state,
  restarts: 0,
  faults: [],
});
const ordered = [view('a-1'), view('b-1', 'stopped'), view('c-1', 'crashed')];
const ctx = { ordered, scenarios: [] as string[] };
const sel = (selected: string): UiState => ({ ...initialUi, selected });

describe('reduceKey', () => {
  it.each([
    ['k', 'a-1', { type: 'kill', instance: 'a-1' }],
    ['r', 'a-1', { type: 'restart', instance: 'a-1' }],
    ['s', 'a-1', { type: 'stop', instance: 'a-1' }],
    ['s', 'b-1', { type: 'start', instance: 'b-1' }],
    ['s', 'c-1', { type: 'start', instance: 'c-1' }],
    ['p', 'a-1', { type: 'toggle-fault', instance: 'a-1', fault: 'partition' }],
    ['h', 'a-1', { type: 'toggle-fault', instance: 'a-1', fault: 'heartbeat-loss' }],
    ['l', 'a-1', { type: 'toggle-fault', instance: 'a-1', fault: 'latency' }],
  ])('%s on %s sends %j', (input, selected, command) => {
    expect(reduceKey(sel(selected), input, {}, ctx).command).toEqual(command);
  });

  it('moves the selection with arrows and tab, wrapping around', () => {
    const keys: [string, KeyInfo][] = [['', { downArrow: true }], ['', { tab: true }], ['', { tab: true }]];
    let ui = sel('a-1');
    const seen: (string | undefined)[] = [];
    for (const [input, key] of keys) {
      ui = reduceKey(ui, input, key, ctx).ui;
      seen.push(ui.selected);
    }
    expect(seen).toEqual(['b-1', 'c-1', 'a-1']);
    expect(reduceKey(sel('a-1'), '', { tab: true, shift: true }, ctx).ui.selected).toBe('c-1');
  });

  it('asks for a selection instead of sending a command without one', () => {
    const out = reduceKey(initialUi, 'k', {}, { ordered: [], scenarios: [] });
    expect(out.command).toBeUndefined();
    expect(out.ui.status?.text).toContain('select an instance');
  });

  it('q and Ctrl-C quit; typing q into the filter does not', () => {
    expect(reduceKey(initialUi, 'q', {}, ctx).quit).toBe(true);
    expect(reduceKey({ ...initialUi, mode: 'filter' }, 'c', { ctrl: true }, ctx).quit).toBe(true);
    const typing = reduceKey({ ...initialUi, mode: 'filter', draft: 'se' }, 'q', {}, ctx);
    expect(typing.quit).toBeUndefined();
    expect(typing.ui.draft).toBe('seq');
  });

  it('escape in the filter clears it', () => {
    const out = reduceKey({ ...initialUi, mode: 'filter', draft: 'x', filter: 'old' }, '', { escape: true }, ctx);
    expect(out.ui).toMatchObject({ mode: 'normal', filter: '', draft: '' });
  });

  it('PgDn/PgUp/Home/End page the selection through a list longer than its pane, stopping at its ends', () => {
    const many = { ordered: Array.from({ length: 25 }, (_, i) => view(`s-${i + 1}`)), scenarios: [], listPage: 10 };
    const keys: KeyInfo[] = [{ pageDown: true }, { pageDown: true }, { pageDown: true }, { pageUp: true }, { home: true }, { pageUp: true }, { end: true }];
    let ui = sel('s-1');
    const seen: (string | undefined)[] = [];
    for (const key of keys) {
      ui = reduceKey(ui, '', key, many).ui;
      seen.push(ui.selected);
    }
    expect(seen).toEqual(['s-11', 's-21', 's-25', 's-15', 's-1', 's-1', 's-25']);
    expect(ui.logSkip).toBe(0);
  });

  it('PgUp/PgDn/End scroll the logs when the list fits its pane', () => {
    const up = reduceKey(sel('a-1'), '', { pageUp: true }, { ...ctx, logPage: 5 }).ui;
    expect(up).toMatchObject({ selected: 'a-1', logSkip: 5 });
    expect(reduceKey(up, '', { end: true }, ctx).ui).toMatchObject({ selected: 'a-1', logSkip: 0 });
  });
});

describe('full-screen log', () => {
  const ctx = { ordered: [], scenarios: [] };
  it('f opens the selected instance\'s log full screen; f or Esc closes it; without a selection it says so', () => {
    const open = reduceKey(sel('greeter-srv-1'), 'f', {}, ctx).ui;
    expect(open.logFull).toBe(true);
    expect(reduceKey(open, 'f', {}, ctx).ui.logFull).toBe(false);
    expect(reduceKey(open, '', { escape: true }, ctx).ui.logFull).toBe(false);
    const none = reduceKey(initialUi, 'f', {}, ctx).ui;
    expect(none.logFull).toBe(false);
    expect(none.status?.text).toBe('select an instance first (arrows or tab)');
  });

  it('e opens the scenario\'s step traces (a hint when it lists none); t and e switch lists, the shown one\'s key closes', () => {
    const none = reduceKey(initialUi, 'e', {}, ctx).ui;
    expect(none.traces).toBe(false);
    expect(none.status?.text).toMatch(/^no scenario step traces yet/);
    const withTraces = { ...ctx, scenarioTraces: 2 };
    const open = reduceKey(initialUi, 'e', {}, withTraces).ui;
    expect(open).toMatchObject({ traces: true, traceSource: 'scenario', traceIndex: 0 });
    const down = reduceKey(reduceKey(open, '', { downArrow: true }, withTraces).ui, '', { downArrow: true }, withTraces).ui;
    expect(down.traceIndex).toBe(1); // the list's last one
    const recent = reduceKey(down, 't', {}, withTraces).ui;
    expect(recent).toMatchObject({ traces: true, traceSource: 'recent', traceIndex: 0 });
    expect(reduceKey(recent, 't', {}, withTraces).ui.traces).toBe(false);
    const back = reduceKey(recent, 'e', {}, withTraces).ui;
    expect(back).toMatchObject({ traces: true, traceSource: 'scenario' });
    expect(reduceKey(back, 'e', {}, withTraces).ui.traces).toBe(false);
    expect(reduceKey(back, '', { escape: true }, withTraces).ui.traces).toBe(false);
  });
});

