import { describe, expect, it } from 'vitest';
import { LogRing } from './log-ring.ts';

describe('LogRing', () => {
  it('keeps the newest `capacity` items, oldest first', () => {
    const ring = new LogRing<number>(3);
    for (let i = 1; i <= 7; i++) ring.push(i);
    expect(ring.size).toBe(3);
    expect(ring.toArray()).toEqual([5, 6, 7]);
    expect(ring.at(0)).toBe(5);
  });
  it('rejects a capacity below 1, naming the limit', () => {
    expect(() => new LogRing(0)).toThrow('log capacity must be >= 1, got 0');
  });
});
