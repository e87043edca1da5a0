import { describe, expect, it } from 'vitest';
import { reduce, Store, type Update } from './store.ts';
import type { InstanceView, Snapshot } from './api.ts';

const empty: Snapshot = {
  topology: 't',
  startedAt: 0,
  ready: false,
  urls: { gateway: 'g', proxy: 'p', web: 'w', registry: 'r' },
  instances: [],
  registry: { kind: 'embedded', semantics: 'consul', address: 'r', passing: 0, critical: 0 },
  gatewayRps: [],
};
const view = (instance: string, tier: InstanceView['tier'], state: InstanceView['state'] = 'ready'): InstanceView => ({
  instance,
  service: instance.replace(/-\d+$/, ''),
  tier,
  runtime: 'worker',
  state,
  restarts: 0,
  faults: [],
});

describe('reduce', () => {
  it('replaces an instance by name and keeps tier then numeric order', () => {
    let s = reduce(empty, { type: 'instance', view: view('greeter-srv-10', 'srv') });
    s = reduce(s, { type: 'instance', view: view('greeter-srv-2', 'srv') });
    s = reduce(s, { type: 'instance', view: view('greeter-web-1', 'web') });
    s = reduce(s, { type: 'instance', view: view('greeter-srv-2', 'srv', 'crashed') });
    expect(s.instances.map((i) => `${i.instance}:${i.state}`)).toEqual([
      'greeter-web-1:ready',
      'greeter-srv-2:crashed',
      'greeter-srv-10:ready',
    ]);
  });

  it('keeps at most 60 traffic samples and does not change state for log lines', () => {
    const s = reduce(empty, { type: 'traffic', gatewayRps: Array.from({ length: 70 }, (_, i) => i) });
    expect(s.gatewayRps).toHaveLength(60);
    expect(s.gatewayRps[0]).toBe(10);
    expect(reduce(s, { type: 'log', instance: 'x', stream: 'stdout', line: 'hi' })).toBe(s);
  });
});

describe('Store', () => {
  it('gives a new subscriber the snapshot first, then every later event in order, with no gap', async () => {
    const store = new Store(empty, () => 42);
    store.dispatch({ type: 'instance', view: view('a-1', 'srv') });
    const seen: Update[] = [];
    store.subscribe((u) => seen.push(u));
    expect(seen).toHaveLength(1);
    expect('snapshot' in seen[0] && seen[0].snapshot.instances.map((i) => i.instance)).toEqual(['a-1']);
    store.dispatch({ type: 'instance', view: view('a-2', 'srv') });
    store.dispatch({ type: 'ready', urls: empty.urls });
    await Promise.resolve();
    await Promise.resolve();
    expect(seen.slice(1).map((u) => ('event' in u ? u.event.type : 'snapshot'))).toEqual(['instance', 'ready']);
    expect(store.state.ready).toBe(true);
  });

  it('drops a subscriber that throws without disturbing the others', async () => {
    const store = new Store(empty);
    let good = 0;
    store.subscribe((u) => {
      if ('event' in u) throw new Error('bad listener');
    });
    store.subscribe((u) => {
      if ('event' in u) good++;
    });
    store.dispatch({ type: 'traffic', gatewayRps: [1] });
    store.dispatch({ type: 'traffic', gatewayRps: [2] });
    await new Promise((r) => setTimeout(r, 0));
    expect(good).toBe(2);
  });
});
