import { describe, expect, it } from 'vitest';
import { judge } from './canary-release.ts';
import { evaluateExpectation } from './evaluate-expectation.ts';
import { recomputedOutcome, recomputedStages, servedIn, trafficShare } from './canary-math.ts';
import type { CanaryRecord, InstanceSample, RegistrySample, StepRecord, Timeline } from './timeline.ts';

const inst = (instance: string, service: string, requests: number, errors: number): InstanceSample => ({ instance, service, state: 'ready', restarts: 0, served: { requests, errors } });
const sample = (at: number, v1a: [number, number], v1b: [number, number], v2: [number, number]): RegistrySample => ({
  at,
  instances: [inst('srv-1', 'greeter-srv', ...v1a), inst('srv-2', 'greeter-srv', ...v1b), inst('v2-1', 'greeter-srv-v2', ...v2)],
  leases: {},
});

/** v2 gets 10 calls (1 failed) in stage 1 [1000, 2000), 50 (0 failed) in stage 2 [2000, 3000), then all. */
const canary = (over: Partial<CanaryRecord> = {}): CanaryRecord => ({
  service: 'go.micro.srv.greeter',
  newVersion: 'v2',
  oldVersion: 'v1',
  baseline: 'greeter-srv',
  maxErrorRate: 5,
  minRequests: 10,
  plannedShares: [10, 50],
  stages: [
    { share: 10, from: 1000, to: 2000, requests: 10, errors: 0, errorRate: 0, ok: true },
    { share: 50, from: 2000, to: 3000, requests: 50, errors: 0, errorRate: 0, ok: true },
  ],
  outcome: 'promoted',
  ...over,
});
const step = (c: CanaryRecord): StepRecord => ({ id: 'release', fault: 'canary', targets: ['v2-1'], targetIds: ['x'], startAt: 1000, endAt: 3100, canary: c });
const timeline = (c: CanaryRecord, v2AtStage1End: [number, number] = [10, 0]): Timeline => ({
  requests: [],
  samples: [
    sample(990, [100, 0], [100, 0], [0, 0]),
    sample(2000, [145, 0], [145, 0], v2AtStage1End),
    sample(3000, [170, 0], [170, 0], [v2AtStage1End[0] + 50, v2AtStage1End[1]]),
    sample(3200, [170, 0], [170, 0], [v2AtStage1End[0] + 50, v2AtStage1End[1]]),
    sample(4200, [170, 0], [170, 0], [v2AtStage1End[0] + 250, v2AtStage1End[1]]),
  ],
  steps: [step(c)],
  endAt: 4200,
  after: [3200, 4200],
});

describe('canary verdict math (recomputed from the sampled inbound counters)', () => {
  it('servedIn sums counter deltas between the last samples at or before each edge', () => {
    const t = timeline(canary());
    expect(servedIn(t, (i) => i.service === 'greeter-srv-v2', [1000, 2000])).toEqual({ requests: 10, errors: 0 });
    expect(servedIn(t, (i) => i.service === 'greeter-srv', [1000, 3000])).toEqual({ requests: 140, errors: 0 });
  });

  it('judge: a stage holds with enough calls and a rate at or under the bound; no calls is no evidence (NaN, fails)', () => {
    expect(judge(10, 0, 1, 20, 1, { max_error_rate: 5, min_requests: 10 })).toMatchObject({ errorRate: 5, ok: true });
    expect(judge(10, 0, 1, 20, 2, { max_error_rate: 5, min_requests: 10 })).toMatchObject({ errorRate: 10, ok: false });
    expect(judge(10, 0, 1, 9, 0, { max_error_rate: 5, min_requests: 10 })).toMatchObject({ errorRate: 0, ok: false });
    const none = judge(10, 0, 1, 0, 0, { max_error_rate: 5, min_requests: 1 });
    expect(none.ok).toBe(false);
    expect(none.errorRate).toBeNaN();
  });

  it('recomputed stages decide the outcome; a step that promoted what the samples say failed does not pass', () => {
    const good = timeline(canary());
    expect(recomputedOutcome(recomputedStages(good, { ...step(canary()), canary: canary() }), canary())).toBe('promoted');
    expect(evaluateExpectation({ metric: 'canary', step: 'release', outcome: 'promoted' }, good, undefined)).toMatchObject({ ok: true, value: 2 });
    // The samples show 4 of 10 failing in stage 1, but the step claims it promoted.
    const lying = timeline(canary(), [10, 4]);
    const r = evaluateExpectation({ metric: 'canary', step: 'release', outcome: 'promoted' }, lying, undefined);
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('the samples say rolled back');
    expect(evaluateExpectation({ metric: 'canary', step: 'release', outcome: 'rolled_back' }, good, undefined).ok).toBe(false);
  });

  it('canary_error_rate: max bounds every stage, min the last one', () => {
    const rolled = canary({ stages: [{ share: 10, from: 1000, to: 2000, requests: 10, errors: 10, errorRate: 100, ok: false }], outcome: 'rolled_back' });
    const t = timeline(rolled, [10, 10]);
    expect(evaluateExpectation({ metric: 'canary_error_rate', step: 'release', min: 50 }, t, undefined)).toMatchObject({ ok: true, value: 100 });
    expect(evaluateExpectation({ metric: 'canary_error_rate', step: 'release', max: 5 }, t, undefined).ok).toBe(false);
    expect(evaluateExpectation({ metric: 'canary', step: 'release', outcome: 'rolled_back' }, t, undefined).ok).toBe(true);
    const good = timeline(canary());
    expect(evaluateExpectation({ metric: 'canary_error_rate', step: 'release', max: 5 }, good, undefined)).toMatchObject({ ok: true, value: 0 });
    expect(evaluateExpectation({ metric: 'canary_error_rate', step: 'release', min: 50 }, good, undefined).ok).toBe(false);
  });

  it('traffic_share: the share of one service among it and the other version in a window', () => {
    const t = timeline(canary());
    expect(trafficShare(t, 'greeter-srv-v2', 'greeter-srv', [3200, 4200])).toEqual({ share: 100, mine: 200, theirs: 0 });
    expect(evaluateExpectation({ metric: 'traffic_share', service: 'greeter-srv-v2', versus: 'greeter-srv', during: 'after', min: 99 }, t, undefined).ok).toBe(true);
    expect(evaluateExpectation({ metric: 'traffic_share', service: 'greeter-srv', versus: 'greeter-srv-v2', during: 'after', min: 1 }, t, undefined).ok).toBe(false);
    const quiet = { ...t, after: [4200, 4300] as [number, number] };
    expect(evaluateExpectation({ metric: 'traffic_share', service: 'greeter-srv-v2', versus: 'greeter-srv', during: 'after', max: 0 }, quiet, undefined)).toMatchObject({ ok: false, value: null });
  });

  it('a canary step that never decided fails its expectations', () => {
    const t: Timeline = { requests: [], samples: [], steps: [], endAt: 0 };
    expect(evaluateExpectation({ metric: 'canary', step: 'release', outcome: 'promoted' }, t, undefined)).toMatchObject({ ok: false, detail: 'canary step release did not run to a decision' });
  });
});
