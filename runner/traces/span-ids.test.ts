import { describe, expect, it } from 'vitest';
import { PooledIdGenerator } from './span-ids.ts';

describe('PooledIdGenerator', () => {
  it('makes lower-case hex trace and span ids of 16 and 8 random bytes, refilling its pool as it empties', () => {
    const ids = new PooledIdGenerator();
    const seen = new Set<string>();
    // 4 KiB a pool: 3,000 of each crosses several refills
    for (let i = 0; i < 3000; i++) {
      const traceId = ids.generateTraceId();
      const spanId = ids.generateSpanId();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      seen.add(traceId).add(spanId);
    }
    expect(seen.size).toBe(6000);
  });

  it('never hands out an all-zero (invalid) id: its last byte becomes 1, as in the SDK', () => {
    let fills = 0;
    const ids = new PooledIdGenerator((pool) => {
      fills++;
      pool.fill(0);
      pool[12] = 0xab; // the second span id of each pool is not zero
    });
    expect(ids.generateSpanId()).toBe('0000000000000001');
    expect(ids.generateSpanId()).toBe('00000000ab000000');
    expect(ids.generateTraceId()).toBe('00000000000000000000000000000001');
    expect(fills).toBe(1);
  });
});
