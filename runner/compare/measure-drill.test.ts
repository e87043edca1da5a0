import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../scenarios/run-scenario.ts';
import type { RegistrySample, RequestRecord, StepRecord, Timeline } from '../scenarios/timeline.ts';
import { measureDrill } from './measure-drill.ts';
import { compareMarkdown, type CompareReport } from './run-compare.ts';

const req = (at: number, ok: boolean): RequestRecord => ({ load: 'rpc', at, ms: 5, ok, status: ok ? 200 : 500 });
const sample = (at: number, leases: RegistrySample['leases'], extra: Partial<RegistrySample> = {}): RegistrySample => ({ at, instances: [], leases, ...extra });
const result = (timeline: Timeline, verdict: ScenarioResult['verdict'] = 'held', error?: string): ScenarioResult =>
  ({ name: 'x', description: '', seed: 1, verdict, startedAt: '', durationMs: 1, steps: timeline.steps, loads: [], hypothesis: { before: [], after: [] }, expectations: [], rollbacks: [], timeline, ...(error ? { error } : {}) }) as ScenarioResult;
const step = (id: string, startAt: number, endAt: number, targetIds: (string | undefined)[] = ['a']): StepRecord => ({ id, fault: 'f', targets: targetIds.map((_, i) => `t${i}`), targetIds, startAt, endAt });

describe('measureDrill', () => {
  it('dead-instance: time until the registration is no longer passing, as real time, and the calls that failed meanwhile', () => {
    const t: Timeline = {
      requests: [req(900, true), req(1100, false), req(1300, true), req(1600, false)],
      samples: [sample(900, { a: 'passing' }), sample(1400, { a: 'passing' }), sample(1500, { a: 'critical' })],
      steps: [step('dead', 1000, 5000)],
      endAt: 6000,
    };
    const cells = measureDrill('dead-instance', result(t), 0.05);
    expect(cells.detect_dead).toEqual({ text: '10 s (500 ms wall)', value: 10_000, unit: 'ms', wallMs: 500 });
    expect(cells.failed_while_listed).toMatchObject({ text: '1 of 2', value: 1 });
  });

  it('a time that never came is "not within" the window, and says self-preservation kept it', () => {
    const t: Timeline = { requests: [], samples: [sample(2000, { a: 'passing' }, { selfPreservation: true })], steps: [step('dead', 1000, 5000)], endAt: 6000 };
    expect(measureDrill('dead-instance', result(t), 0.01).detect_dead).toEqual({ text: 'not within 400 s (self-preservation kept it)', value: null, unit: 'ms', notWithinMs: 400_000 });
  });

  it('registry-partition: availability, registration on the isolated member (allowed / refused), time to converge', () => {
    const t: Timeline = {
      requests: [req(1100, true), req(1200, true), req(1300, false), req(1400, true)],
      samples: [
        sample(1000, {}, { members: { e1: ['a'], e3: ['a'] } }),
        sample(2000, {}, { members: { e1: ['a'], e3: ['a', 'b'] } }),
        sample(3200, {}, { members: { e1: ['a', 'b'], e3: ['a', 'b'] } }),
      ],
      steps: [step('split', 1000, 3000, [undefined])],
      endAt: 6000,
    };
    const cells = measureDrill('registry-partition', result(t), 0.01, 'e3');
    expect(cells.availability_partition).toMatchObject({ value: 75, text: '75.0 % (3/4)' });
    expect(cells.register_partition).toMatchObject({ value: 'allowed', text: 'allowed (1 new on the isolated e3)' });
    expect(cells.converge_after_heal).toMatchObject({ value: 20_000, wallMs: 200 });
    expect(measureDrill('registry-partition', result(t), 0.01, 'e1').register_partition).toMatchObject({ value: 'refused' });
    const apart: Timeline = { ...t, samples: [...t.samples.slice(0, 2), sample(3200, {}, { members: { e1: ['a', 'c'], e3: ['a', 'b'] }, selfPreservation: true })] };
    expect(measureDrill('registry-partition', result(apart), 0.01, 'e3').converge_after_heal).toEqual({ text: 'not within 300 s (self-preservation on)', value: null, unit: 'ms', notWithinMs: 300_000 });
  });

  it('registry-partition on etcd: new registrations in the committed view; convergence from each member\'s own view', () => {
    const t: Timeline = {
      requests: [req(1100, true)],
      samples: [
        sample(1000, { a: 'passing' }, { members: { 'etcd-1': ['a'], 'etcd-2': ['a'], 'etcd-3': ['a'] } }),
        // The isolated leader's serializable read is stale: it misses b, which the majority committed.
        sample(2000, { a: 'passing', b: 'passing' }, { members: { 'etcd-1': ['a'], 'etcd-2': ['a', 'b'], 'etcd-3': ['a', 'b'] } }),
        sample(3100, { a: 'passing', b: 'passing' }, { members: { 'etcd-1': ['a'], 'etcd-2': ['a', 'b'], 'etcd-3': ['a', 'b'] } }),
        sample(3250, { a: 'passing', b: 'passing' }, { members: { 'etcd-1': ['a', 'b'], 'etcd-2': ['a', 'b'], 'etcd-3': ['a', 'b'] } }),
      ],
      steps: [{ ...step('split', 1000, 3000, []), targets: ['etcd-1'] }],
      endAt: 6000,
    };
    // Leases at time scale 0.05, raft at real speed: the convergence is wall time.
    const cells = measureDrill('registry-partition', result(t), 0.05, 'leader', 1);
    expect(cells.register_partition).toMatchObject({ value: 'allowed', text: 'allowed (1 new in the registry (etcd-1 isolated))' });
    expect(cells.converge_after_heal).toEqual({ text: '0.3 s (250 ms wall)', value: 250, unit: 'ms', wallMs: 250 });
    const never = { ...t, samples: t.samples.slice(0, 3) };
    expect(measureDrill('registry-partition', result(never), 0.05, 'leader', 1).converge_after_heal).toMatchObject({ value: null, notWithinMs: 3000 });
  });

  it('registry-partition with one view only: nothing new is refused; no convergence measured', () => {
    const t: Timeline = {
      requests: [req(1100, true)],
      samples: [sample(1000, { a: 'passing' }), sample(2000, { a: 'passing' })],
      steps: [{ ...step('split', 1000, 3000, []), targets: ['etcd-1'] }],
      endAt: 6000,
    };
    const cells = measureDrill('registry-partition', result(t), 0.05, 'leader');
    expect(cells.register_partition).toMatchObject({ value: 'refused' });
    expect(cells.converge_after_heal).toMatchObject({ value: null, skipped: 'one consistent view sampled, not each member' });
  });

  it('heartbeat-loss: evict when a silent target left the passing set, protect when none did', () => {
    const t = (leases: RegistrySample['leases'], sp: boolean): Timeline => ({ requests: [], samples: [sample(1500, leases, { selfPreservation: sp })], steps: [step('silence', 1000, 4000, ['a', 'b'])], endAt: 5000 });
    expect(measureDrill('heartbeat-loss', result(t({ a: 'critical', b: 'passing' }, false)), 0.05).mass_heartbeat_loss).toMatchObject({ value: 'evict', text: 'evict (1 of 2 dropped)' });
    expect(measureDrill('heartbeat-loss', result(t({ a: 'passing', b: 'passing' }, true)), 0.01).mass_heartbeat_loss).toMatchObject({ value: 'protect', text: 'protect (0 of 2 dropped, self-preservation on)' });
  });

  it('a drill that could not run fills its cells with the error, never a number', () => {
    const t: Timeline = { requests: [], samples: [], steps: [], endAt: 0 };
    const cells = measureDrill('registry-partition', result(t, 'error', 'topology did not start'), 0.01, 'e3');
    expect(Object.keys(cells).sort()).toEqual(['availability_partition', 'converge_after_heal', 'register_partition']);
    expect(cells.register_partition).toEqual({ text: 'error: topology did not start', value: null, error: 'topology did not start' });
  });
});

describe('compareMarkdown', () => {
  it('one row per question, one column per registry, escaped pipes and a line per registry', () => {
    const report: CompareReport = {
      seed: 3,
      startedAt: '',
      wallMs: 61_000,
      registries: [
        { kind: 'consul', timeScale: 0.05, model: 'TTL' },
        { kind: 'eureka', timeScale: 0.01, model: 'lease' },
      ],
      drills: ['registry-partition'],
      rows: [{ id: 'register_partition', label: 'registration during a partition', drill: 'registry-partition', cells: { consul: { text: '— (one node)', value: null, skipped: 'one node' }, eureka: { text: 'allowed | yes', value: 'allowed' } } }],
      runs: [{ registry: 'eureka', drill: 'registry-partition', verdict: 'held', durationMs: 1 }],
    };
    const md = compareMarkdown(report);
    expect(md.split('\n').slice(0, 3)).toEqual(['| measured | consul | eureka |', '|---|---|---|', '| registration during a partition | — (one node) | allowed \\| yes |']);
    expect(md).toContain('- **eureka**: lease; time scale 0.01');
    expect(md).toContain('1 drill runs in 61 s, seed 3');
  });
});
