import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.ts';
import type { TargetableInstance } from './select-targets.ts';
import { selectTargets } from './select-targets.ts';

const instances: TargetableInstance[] = [
  { instance: 'greeter-api-1', service: 'greeter-api', tier: 'api' },
  { instance: 'greeter-srv-1', service: 'greeter-srv', tier: 'srv' },
  { instance: 'greeter-srv-2', service: 'greeter-srv', tier: 'srv' },
  { instance: 'greeter-srv-3', service: 'greeter-srv', tier: 'srv' },
  { instance: 'greeter-web-1', service: 'greeter-web', tier: 'web' },
];
const names = (xs: TargetableInstance[]) => xs.map((x) => x.instance);

describe('selectTargets', () => {
  it.each([
    ['everything when the target is empty', {}, 5],
    ['a service', { service: 'greeter-srv' }, 3],
    ['a tier', { tier: 'web' as const }, 1],
    ['one instance', { instance: 'greeter-srv-2' }, 1],
    ['a percent, rounded up', { service: 'greeter-srv', percent: 10 }, 1],
    ['two thirds of three', { service: 'greeter-srv', percent: 66.67 }, 3],
    ['a count capped at what matched', { tier: 'srv' as const, count: 9 }, 3],
    ['nothing for an unknown service', { service: 'nope', percent: 50 }, 0],
  ])('selects %s', (_name, target, size) => {
    expect(selectTargets(instances, target, seededRandom(1))).toHaveLength(size);
  });

  it('replays: same seed and same instances in any order give the same victims', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 4 }), (seed, count) => {
        const a = selectTargets(instances, { count }, seededRandom(seed));
        const b = selectTargets([...instances].reverse(), { count }, seededRandom(seed));
        expect(names(a)).toEqual(names(b));
        expect(new Set(names(a)).size).toBe(count);
      }),
      { numRuns: 200 },
    );
  });

  it('spreads choices over the candidates across seeds', () => {
    const hits = new Map<string, number>();
    for (let seed = 0; seed < 300; seed++) {
      const [victim] = selectTargets(instances, { service: 'greeter-srv', count: 1 }, seededRandom(seed));
      hits.set(victim!.instance, (hits.get(victim!.instance) ?? 0) + 1);
    }
    expect([...hits.keys()].sort()).toEqual(['greeter-srv-1', 'greeter-srv-2', 'greeter-srv-3']);
    for (const n of hits.values()) expect(n).toBeGreaterThan(50);
  });
});
