import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.ts';

describe('seededRandom (mulberry32)', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const take = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
  });

  it('matches the reference mulberry32 output for seed 1', () => {
    // First value of the published mulberry32 for a = 1: 2694035074 / 2^32.
    expect(seededRandom(1)()).toBeCloseTo(0.6270739405881613, 12);
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const rng = seededRandom(7);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const x = rng();
      expect(x >= 0 && x < 1).toBe(true);
      buckets[Math.floor(x * 10)]++;
    }
    for (const b of buckets) expect(b).toBeGreaterThan(850);
  });
});
