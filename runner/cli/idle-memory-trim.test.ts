import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.ts';
import { memoryReducingGc, startIdleMemoryTrim } from './idle-memory-trim.ts';

describe('startIdleMemoryTrim', () => {
  it('trims once when the thread goes idle after a busy stretch; never while busy, never when it was idle all along', () => {
    const clock = new ManualClock();
    const loads = [0.01, 0.02, 0.9, 0.8, 0.1, 0.01, 0.01, 0.3, 0.01];
    let trims = 0;
    const trimAt: number[] = [];
    const stop = startIdleMemoryTrim({
      clock,
      everyMs: 1000,
      utilization: () => loads.shift() ?? 0,
      trim: () => {
        trims++;
        trimAt.push(clock.now());
      },
    });
    clock.advance(9000);
    // idle, idle, busy, busy, in between (no trim: not idle yet), idle -> trim, idle (no second), busy, idle -> trim
    expect(trimAt).toEqual([6000, 9000]);
    expect(trims).toBe(2);
    stop();
    expect(clock.pending).toBe(0);
  });

  it("memoryReducingGc runs V8's gc without leaving a gc function in this or a new context", async () => {
    memoryReducingGc();
    memoryReducingGc();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    const { runInNewContext } = await import('node:vm');
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});
