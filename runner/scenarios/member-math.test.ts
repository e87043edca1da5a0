import { describe, expect, it } from 'vitest';
import { evaluateExpectation } from './evaluate-expectation.ts';
import { divergence, registrationsAccepted, timeListed, timeToConverge } from './member-math.ts';
import type { RegistrySample, StepRecord, Timeline } from './timeline.ts';

const s = (at: number, members: Record<string, string[]>): RegistrySample => ({ at, instances: [], leases: {}, members });
const split: StepRecord = { id: 'split', fault: 'registry-partition', targets: ['e3'], targetIds: [undefined], startAt: 1000, endAt: 4000 };
const dies: StepRecord = { id: 'dies', fault: 'stop', targets: ['srv-3'], targetIds: ['c'], startAt: 1500, endAt: 5000 };

/**
 * Three members. Before the split all list a, b, c. During it: e3 registers d (and drops c when it stops at
 * 1500); e1/e2 register e and keep c until 2700. After the heal (4000) they agree again from 4400.
 */
const timeline: Timeline = {
  requests: [],
  steps: [split, dies],
  endAt: 6000,
  samples: [
    s(900, { e1: ['a', 'b', 'c'], e2: ['a', 'b', 'c'], e3: ['a', 'b', 'c'] }),
    s(1100, { e1: ['a', 'b', 'c'], e2: ['a', 'b', 'c'], e3: ['a', 'b', 'c'] }),
    s(1400, { e1: ['a', 'b', 'c', 'e'], e2: ['a', 'b', 'c', 'e'], e3: ['a', 'b', 'c', 'd'] }),
    s(1600, { e1: ['a', 'b', 'c', 'e'], e2: ['a', 'b', 'c', 'e'], e3: ['a', 'b', 'd'] }),
    s(2700, { e1: ['a', 'b', 'e'], e2: ['a', 'b', 'e'], e3: ['a', 'b', 'd'] }),
    s(4100, { e1: ['a', 'b', 'd', 'e'], e2: ['a', 'b', 'e'], e3: ['a', 'b', 'd', 'e'] }),
    s(4400, { e1: ['a', 'b', 'd', 'e'], e2: ['a', 'b', 'd', 'e'], e3: ['a', 'b', 'd', 'e'] }),
  ],
};

describe('member views', () => {
  it('divergence counts registrations not listed everywhere', () => {
    expect(divergence(timeline.samples[0])).toBe(0);
    expect(divergence(timeline.samples[2])).toBe(2);
    expect(divergence(timeline.samples[3])).toBe(3);
    expect(divergence({ at: 0, instances: [], leases: {} })).toBe(0);
  });

  it('time to converge runs from the heal to the first sample where all agree', () => {
    expect(timeToConverge(timeline, split)).toBe(400);
    expect(timeToConverge({ ...timeline, samples: timeline.samples.slice(0, 6) }, split)).toBeUndefined();
  });

  it('registrations accepted are ids a member lists that it did not at the window start', () => {
    expect(registrationsAccepted(timeline, [1000, 4000], 'e3')).toEqual(['d']);
    expect(registrationsAccepted(timeline, [1000, 4000], 'e1')).toEqual(['e']);
    expect(registrationsAccepted(timeline, [1000, 4000], 'nobody')).toEqual([]);
  });

  it('time listed: until the member no longer lists the target', () => {
    expect(timeListed(timeline, dies, 'e3')).toBe(100);
    expect(timeListed(timeline, dies, 'e1')).toBe(1200);
    expect(timeListed(timeline, { ...dies, targetIds: [undefined] }, 'e1')).toBeUndefined();
  });

  it('judges the expectations and says what it measured', () => {
    const judge = (e: Parameters<typeof evaluateExpectation>[0]) => evaluateExpectation(e, timeline, undefined);
    expect(judge({ metric: 'views_diverged', during: 'split', min: 3 })).toMatchObject({ ok: true, value: 3, detail: expect.stringContaining('e3 lists 3') });
    expect(judge({ metric: 'views_diverged', during: 'split', min: 4 }).ok).toBe(false);
    expect(judge({ metric: 'time_to_converge', step: 'split', max: 400 })).toMatchObject({ ok: true, value: 400 });
    expect(judge({ metric: 'time_to_converge', step: 'split', max: 399 }).ok).toBe(false);
    expect(judge({ metric: 'registrations_accepted', during: 'split', member: 'e3', min: 1 })).toMatchObject({ ok: true, value: 1, detail: 'new: d' });
    expect(judge({ metric: 'registrations_accepted', during: 'split', member: 'e3', min: 2 }).ok).toBe(false);
    expect(judge({ metric: 'time_listed', step: 'dies', member: 'e1', min: 700, max: 4000 })).toMatchObject({ ok: true, value: 1200 });
    expect(judge({ metric: 'time_listed', step: 'dies', member: 'e1', max: 1000 }).ok).toBe(false);
    expect(judge({ metric: 'time_listed', step: 'dies', member: 'e3', min: 200 }).ok).toBe(false);
    expect(judge({ metric: 'time_to_converge', step: 'nope', max: 1 })).toMatchObject({ ok: false, detail: 'step nope did not run' });
    expect(judge({ metric: 'views_diverged', during: 'nope', min: 1 })).toMatchObject({ ok: false, value: null });
  });
});
