import { describe, expect, it } from 'vitest';
import { othersNotPassing, othersNotPassingLine } from './others-not-passing.ts';
import type { InstanceSample, LeaseState, RegistrySample } from './timeline.ts';

const inst = (instance: string, state: InstanceSample['state'] = 'ready'): InstanceSample => ({ instance, service: instance.replace(/-\d+$/, ''), state, registryId: `${instance}-id`, restarts: 0 });

/** A sample at `at` ms where every instance is ready and passing except those given. */
function sample(at: number, leases: Record<string, LeaseState | 'missing'> = {}, states: Record<string, InstanceSample['state']> = {}): RegistrySample {
  const names = ['greeter-srv-1', 'greeter-srv-2', 'greeter-api-1'];
  const held: Record<string, LeaseState> = {};
  for (const n of names) {
    const l = leases[n] ?? 'passing';
    if (l !== 'missing') held[`${n}-id`] = l;
  }
  return { at, instances: names.map((n) => inst(n, states[n])), leases: held };
}

describe('othersNotPassing', () => {
  const step = { targets: ['greeter-srv-2'], startAt: 1000, endAt: 3000 };

  it('names the instances outside the targets that left the passing set during the step, with when and how', () => {
    const samples = [
      sample(900, { 'greeter-api-1': 'critical' }), // before the step: not its business
      sample(1000, { 'greeter-srv-2': 'critical' }), // the target itself: expected
      sample(1500, { 'greeter-srv-2': 'critical', 'greeter-api-1': 'critical' }),
      sample(1525, { 'greeter-srv-2': 'critical', 'greeter-api-1': 'missing' }),
      sample(1550, { 'greeter-srv-2': 'critical' }),
      sample(2900, { 'greeter-srv-1': 'warning' }),
      sample(3100, { 'greeter-srv-1': 'critical' }), // after the step
    ];
    expect(othersNotPassing(step, samples)).toEqual([
      { instance: 'greeter-api-1', fromMs: 1500, toMs: 1525, state: 'missing' },
      { instance: 'greeter-srv-1', fromMs: 2900, toMs: 2900, state: 'warning' },
    ]);
  });

  it('leaves out instances another step of the run aims at', () => {
    const samples = [sample(1500, { 'greeter-api-1': 'critical', 'greeter-srv-1': 'missing' })];
    expect(othersNotPassing(step, samples, ['greeter-srv-2', 'greeter-srv-1']).map((o) => o.instance)).toEqual(['greeter-api-1']);
  });

  it('judges nobody from a sample that saw no lease (registry not answering) or an instance not ready', () => {
    const blind: RegistrySample = { at: 1200, instances: [inst('greeter-api-1')], leases: {} };
    const restarting = sample(1300, { 'greeter-api-1': 'missing' }, { 'greeter-api-1': 'backoff' });
    expect(othersNotPassing(step, [blind, restarting, sample(1400)])).toEqual([]);
  });

  it('reads as one report line, at most five named', () => {
    expect(othersNotPassingLine([])).toBeUndefined();
    expect(othersNotPassingLine([{ instance: 'greeter-api-1', fromMs: 1520, toMs: 2100, state: 'critical' }])).toBe(
      '       also out of the passing set (no step targets it): greeter-api-1 critical +1.52s .. +2.10s',
    );
    const many = Array.from({ length: 7 }, (_, i) => ({ instance: `greeter-srv-${i + 1}`, fromMs: 1000, toMs: 1000, state: 'missing' as const }));
    expect(othersNotPassingLine(many)).toMatch(/greeter-srv-5 missing \+1\.00s \.\. \+1\.00s \(and 2 more\)$/);
  });
});
