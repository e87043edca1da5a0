import { describe, expect, it } from 'vitest';
import type { TargetableInstance } from '../faults/select-targets.ts';
import { planTargets } from './plan-targets.ts';
import type { StepSpec } from './scenario-schema.ts';

const instances: TargetableInstance[] = [
  ...['1', '2', '3', '4', '5'].map((n) => ({ instance: `greeter-srv-${n}`, service: 'greeter-srv', tier: 'srv' as const })),
  { instance: 'greeter-api-1', service: 'greeter-api', tier: 'api' },
  { instance: 'static-proxy', service: 'static-proxy', tier: 'other' },
];
const step = (id: string, target: StepSpec['target'], fault: StepSpec['fault'] = 'kill') => ({ id, at: 0, fault, target }) as StepSpec;
const steps = [step('a', { service: 'greeter-srv', count: 1 }), step('b', { tier: 'srv', percent: 40 }), step('c', { percent: 50 })];

describe('planTargets', () => {
  it('replays exactly with the same seed, whatever order the instances come in', () => {
    const first = planTargets(steps, instances, 42);
    expect(planTargets(steps, [...instances].reverse(), 42)).toEqual(first);
    expect([...first.values()].map((v) => v.length)).toEqual([1, 2, 3]);
  });

  it('other seeds choose differently', () => {
    const plans = new Set(Array.from({ length: 20 }, (_, seed) => JSON.stringify([...planTargets(steps, instances, seed)])));
    expect(plans.size).toBeGreaterThan(5);
  });

  it('hits the static proxy only when named', () => {
    const all = planTargets([step('x', {}), step('y', { instance: 'static-proxy' })], instances, 1);
    expect(all.get('x')).not.toContain('static-proxy');
    expect(all.get('y')).toEqual(['static-proxy']);
  });
});
