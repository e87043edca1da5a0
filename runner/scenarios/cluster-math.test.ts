import { describe, expect, it } from 'vitest';
import { evaluateClusterExpectation, leadersPerTerm, sideOf, timeToWritable } from './cluster-math.ts';
import type { RegistrySample, RegistryWrite, StepRecord, Timeline } from './timeline.ts';

const split: StepRecord = { id: 'split', fault: 'registry-partition', targets: ['etcd-1'], targetIds: [], startAt: 1000, endAt: 4000 };
const w = (at: number, member: string, ok: boolean, ms = 5): RegistryWrite => ({ at, member, ok, ms });
const sample = (at: number, roles: Record<string, { role: string; term?: number }>): RegistrySample => ({ at, instances: [], leases: {}, roles });

function timeline(writes: RegistryWrite[], samples: RegistrySample[] = []): Timeline {
  return { requests: [], samples, steps: [split], endAt: 6000, registryWrites: writes };
}

describe('cluster math', () => {
  it('sides: the step targets, and every other probed member', () => {
    const t = timeline([w(0, 'etcd-1', true), w(0, 'etcd-2', true), w(0, 'etcd-3', true)]);
    expect(sideOf(t, split, 'isolated')).toEqual(['etcd-1']);
    expect(sideOf(t, split, 'others')).toEqual(['etcd-2', 'etcd-3']);
  });

  it('registry_writes counts writes sent in the window and acknowledged before the heal', () => {
    const t = timeline([
      w(900, 'etcd-1', true), // before the fault: not counted
      w(1200, 'etcd-1', false),
      w(3900, 'etcd-1', true, 300), // acknowledged only after the heal (4000): the healed cluster took it
      w(1500, 'etcd-2', false),
      w(2500, 'etcd-2', true),
    ]);
    const isolated = evaluateClusterExpectation({ metric: 'registry_writes', step: 'split', side: 'isolated', max: 0 }, t);
    expect(isolated).toMatchObject({ ok: true, value: 0, detail: '0 of 2 probe writes acknowledged before the heal' });
    const others = evaluateClusterExpectation({ metric: 'registry_writes', step: 'split', side: 'others', min: 60 }, t);
    expect(others).toMatchObject({ ok: false, value: 50 });
  });

  it('registry_writes: a write acknowledged while the heal is under way is not one accepted before it', () => {
    // Two of three members killed; the heal starts them one by one (3000 .. 3800): with the first back at
    // about 3400 the survivor has a quorum again and acknowledges the write it was sent at 2850 (and 3300).
    const quorum: StepRecord = { id: 'quorum', fault: 'registry-member-kill', targets: [], targetIds: [], startAt: 1000, healAt: 3000, endAt: 3800 };
    const t: Timeline = {
      ...timeline([w(1100, 'etcd-3', false, 1000), w(2100, 'etcd-3', false, 700), w(2850, 'etcd-3', true, 600), w(3300, 'etcd-3', true, 200)]),
      steps: [quorum],
      samples: [sample(0, { 'etcd-1': { role: 'leader' }, 'etcd-2': { role: 'follower' }, 'etcd-3': { role: 'follower' } })],
    };
    const r = evaluateClusterExpectation({ metric: 'registry_writes', step: 'quorum', side: 'others', max: 0 }, t);
    expect(r).toMatchObject({ ok: true, value: 0, detail: '0 of 3 probe writes acknowledged before the heal' });
    // Without the heal's start (a timeline of an older run) the window ends when the heal was done.
    const old = evaluateClusterExpectation({ metric: 'registry_writes', step: 'quorum', side: 'others', max: 0 }, { ...t, steps: [{ ...quorum, healAt: undefined }] });
    expect(old).toMatchObject({ ok: false, detail: '2 of 4 probe writes acknowledged before the heal' });
  });

  it('registry_writes with no probe writes in the window cannot pass', () => {
    expect(evaluateClusterExpectation({ metric: 'registry_writes', step: 'split', side: 'isolated', max: 0 }, timeline([])).ok).toBe(false);
  });

  it('time_to_writable: from the fault (or the heal) until the first acknowledged write, answer included', () => {
    const t = timeline([w(1100, 'etcd-2', false), w(2600, 'etcd-3', true, 40), w(4100, 'etcd-1', true, 10)]);
    expect(timeToWritable(t, ['etcd-2', 'etcd-3'], 1000)).toBe(1640);
    expect(evaluateClusterExpectation({ metric: 'time_to_writable', step: 'split', side: 'isolated', from: 'heal', max: 500 }, t)).toMatchObject({ ok: true, value: 110 });
    expect(timeToWritable(t, ['etcd-9'], 0)).toBeUndefined();
  });

  it('registry_leaders: two leaders of different terms are not a split brain, two of one term are', () => {
    const stale = sample(1500, { 'etcd-1': { role: 'leader', term: 2 }, 'etcd-2': { role: 'leader', term: 3 }, 'etcd-3': { role: 'follower', term: 3 } });
    expect(leadersPerTerm(timeline([], [stale]), [0, 6000]).most).toBe(1);
    const brain = sample(1600, { 'etcd-1': { role: 'leader', term: 3 }, 'etcd-2': { role: 'leader', term: 3 } });
    const r = evaluateClusterExpectation({ metric: 'registry_leaders', during: 'run', max: 1 }, timeline([], [stale, brain]));
    expect(r).toMatchObject({ ok: false, value: 2 });
    expect(r.detail).toContain('etcd-1, etcd-2');
  });

  it('log_lines matches instance output in the window, optionally of one instance', () => {
    const t: Timeline = {
      ...timeline([]),
      logs: [
        { at: 500, instance: 'greeter-srv-1', line: 'etcd registry lease grant failed: no quorum' },
        { at: 2000, instance: 'greeter-srv-1', line: 'etcd registry lease grant failed: no quorum' },
        { at: 2100, instance: 'greeter-api-1', line: 'etcd registry put failed: no quorum' },
      ],
    };
    expect(evaluateClusterExpectation({ metric: 'log_lines', during: 'split', pattern: 'no quorum', instance: 'greeter-srv', min: 1 }, t)).toMatchObject({ ok: true, value: 1 });
    expect(evaluateClusterExpectation({ metric: 'log_lines', during: 'split', pattern: 'no quorum', max: 1 }, t)).toMatchObject({ ok: false, value: 2 });
  });
});
