import { describe, expect, it } from 'vitest';
import { RenewRate } from './renew-rate.ts';

describe('RenewRate', () => {
  it('is unknown until a second has passed, then heartbeats per minute over the last 60 s', () => {
    const rate = new RenewRate();
    expect(rate.sample(0, 0)).toBeUndefined();
    expect(rate.sample(500, 3)).toBeUndefined();
    expect(rate.sample(1_000, 6)).toBe(360); // 6 in 1 s
    for (let s = 2; s <= 120; s++) rate.sample(s * 1000, 6 + (s - 1) * 2); // then 2 per second
    expect(rate.sample(121_000, 6 + 120 * 2)).toBe(120);
  });

  it('falls to zero when heartbeats stop', () => {
    const rate = new RenewRate();
    rate.sample(0, 10);
    for (let s = 1; s <= 61; s++) rate.sample(s * 1000, 20);
    expect(rate.sample(62_000, 20)).toBe(0);
  });
});
