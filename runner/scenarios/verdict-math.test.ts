import { describe, expect, it } from 'vitest';
import { evaluateExpectation, evaluateSteadyState } from './evaluate-expectation.ts';
import type { InstanceSample, RegistrySample, RequestRecord, Timeline } from './timeline.ts';
import { percentile, requestStats, timeToDetect, timeToRecover } from './verdict-math.ts';

const req = (at: number, ok: boolean, ms = 10, load = 'api'): RequestRecord => ({ load, at, ms, ok, status: ok ? 200 : 0 });
const inst = (instance: string, registryId: string | undefined, state: InstanceSample['state'] = 'ready', restarts = 0): InstanceSample => ({
  instance,
  service: 'greeter-srv',
  state,
  ...(registryId ? { registryId } : {}),
  restarts,
});
const sample = (at: number, instances: InstanceSample[], leases: RegistrySample['leases'], selfPreservation?: boolean): RegistrySample => ({
  at,
  instances,
  leases,
  ...(selfPreservation !== undefined ? { selfPreservation } : {}),
});

/**
 * srv-1 (id a) is partitioned at 1000 and healed at 3000: critical from 1400, passing again from 3200.
 * srv-2 (id b) is killed at 4000: gone at 4100, back as id c (restarts 1) passing from 4600.
 */
const timeline: Timeline = {
  requests: [
    ...Array.from({ length: 100 }, (_, i) => req(i * 10, true, 5 + (i % 10))), // 0..990 all ok
    ...Array.from({ length: 200 }, (_, i) => req(1000 + i * 10, i % 20 !== 0, 20)), // 1000..2990: 10 fail
    ...Array.from({ length: 100 }, (_, i) => req(3000 + i * 10, true, 8)),
  ],
  samples: [
    sample(900, [inst('srv-1', 'a'), inst('srv-2', 'b')], { a: 'passing', b: 'passing' }, false),
    sample(1200, [inst('srv-1', 'a'), inst('srv-2', 'b')], { a: 'passing', b: 'passing' }, false),
    sample(1400, [inst('srv-1', 'a'), inst('srv-2', 'b')], { a: 'critical', b: 'passing' }, true),
    sample(3100, [inst('srv-1', 'a'), inst('srv-2', 'b')], { a: 'critical', b: 'passing' }, false),
    sample(3200, [inst('srv-1', 'a'), inst('srv-2', 'b')], { a: 'passing', b: 'passing' }, false),
    sample(4050, [inst('srv-1', 'a'), inst('srv-2', 'b', 'crashed')], { a: 'passing', b: 'passing' }),
    sample(4100, [inst('srv-1', 'a'), inst('srv-2', undefined, 'starting', 1)], { a: 'passing' }),
    sample(4500, [inst('srv-1', 'a'), inst('srv-2', 'c', 'ready', 1)], { a: 'passing', c: 'critical' }),
    sample(4600, [inst('srv-1', 'a'), inst('srv-2', 'c', 'ready', 1)], { a: 'passing', c: 'passing' }),
  ],
  steps: [
    { id: 'cut', fault: 'partition', targets: ['srv-1'], targetIds: ['a'], startAt: 1000, endAt: 3000 },
    { id: 'crash', fault: 'kill', targets: ['srv-2'], targetIds: ['b'], startAt: 4000, endAt: 5000 },
  ],
  endAt: 5000,
  before: [0, 1000],
  after: [3000, 4000],
};

describe('verdict math', () => {
  it('availability and latency over the requests sent inside a window', () => {
    expect(requestStats(timeline.requests, [1000, 3000])).toMatchObject({ sent: 200, ok: 190, failed: 10, availability: 95 });
    expect(requestStats(timeline.requests, [0, 1000])).toMatchObject({ sent: 100, availability: 100, p50: 9, p99: 14 });
    expect(requestStats(timeline.requests, [6000, 7000]).availability).toBeNaN();
    expect(requestStats([req(990, false, 50), req(980, true, 5)], [0, 1000], undefined, 1000)).toMatchObject({ sent: 1, ok: 1 });
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
  });

  it('time to detect: first sample where every target registration is not passing', () => {
    expect(timeToDetect(timeline, timeline.steps[0]!)).toBe(400);
    expect(timeToDetect(timeline, timeline.steps[1]!)).toBe(100); // b gone at 4100
  });

  it('time to recover: from the heal (partition) or the fault (kill, needs a new registration)', () => {
    expect(timeToRecover(timeline, timeline.steps[0]!)).toBe(200);
    expect(timeToRecover(timeline, timeline.steps[1]!)).toBe(600);
    const never = { ...timeline, samples: timeline.samples.slice(0, 4) };
    expect(timeToRecover(never, timeline.steps[0]!)).toBeUndefined();
  });

  it('expectations name the limit and the value', () => {
    const judge = (e: Parameters<typeof evaluateExpectation>[0]) => evaluateExpectation(e, timeline, 'api');
    expect(judge({ metric: 'availability', during: 'cut', min: 99 })).toEqual({
      label: 'availability during cut (api) >= 99%',
      ok: false,
      value: 95,
      detail: 'was 95.00% (190/200)',
    });
    expect(judge({ metric: 'failed_requests', during: 'cut', max: 10 })).toMatchObject({ ok: true, value: 10 });
    expect(judge({ metric: 'time_to_detect', step: 'cut', max: 500 })).toMatchObject({ ok: true, value: 400, label: 'time to detect cut <= 500 ms' });
    expect(judge({ metric: 'time_to_recover', step: 'crash', max: 500 })).toMatchObject({ ok: false, value: 600, detail: 'was 600 ms (srv-2 ready and passing again)' });
    expect(judge({ metric: 'passing', during: 'cut', service: 'greeter-srv', min: 2 })).toMatchObject({ ok: false, value: 1 });
    expect(judge({ metric: 'passing', during: 'cut', service: 'greeter-srv', max: 1 })).toMatchObject({ ok: true, value: 1 });
    expect(judge({ metric: 'self_preservation', during: 'cut', engaged: true })).toMatchObject({ ok: true });
    expect(judge({ metric: 'self_preservation', during: 'before', engaged: false })).toMatchObject({ ok: true });
    expect(judge({ metric: 'not_evicted', step: 'cut' })).toMatchObject({ ok: true, value: 0 });
    expect(judge({ metric: 'not_evicted', step: 'crash' })).toMatchObject({ ok: false, detail: 'evicted: srv-2' });
    expect(judge({ metric: 'restarts', step: 'crash', min: 1 })).toMatchObject({ ok: true, value: 1 });
    const counted = { ...timeline, steps: [{ ...timeline.steps[1]!, restartsAtStart: [0] }] };
    expect(evaluateExpectation({ metric: 'restarts', step: 'crash', min: 2 }, counted, 'api')).toMatchObject({ ok: false, value: 1, detail: 'was 1' });
    expect(judge({ metric: 'p99', during: 'cut', min: 20, max: 50 })).toMatchObject({ ok: true, value: 20 });
    expect(judge({ metric: 'availability', during: 'nope', min: 1 })).toMatchObject({ ok: false, value: null, detail: 'step nope did not run' });
  });

  it('steady state before counts only requests answered before the first fault', () => {
    const t: Timeline = { ...timeline, requests: [req(100, true), req(990, false, 40)] };
    const results = evaluateSteadyState({ availability: 99 }, t, t.before, 'before', 'api');
    expect(results).toEqual([{ label: 'steady state before: availability >= 99%', ok: true, value: 100, detail: 'was 100.00% (1/1)' }]);
    expect(evaluateSteadyState({ availability: 99 }, t, t.before, 'after', 'api')[0]).toMatchObject({ ok: false, value: 50 });
  });
});
