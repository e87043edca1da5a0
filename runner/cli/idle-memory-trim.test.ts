import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.ts';
import { memoryReducingGc, startIdleMemoryTrim } from './idle-memory-trim.ts';

describe('startIdleMemoryTrim', () => {
  it('trims once the thread has been idle for quietMs after a busy stretch; never while busy, never when it was idle all along', () => {
    const clock = new ManualClock();
    // idle, idle (idle all along: nothing), busy, busy, in between, idle, idle, idle -> trim (3 s quiet),
    // idle (no second), busy, idle, idle, in between (quiet broken), idle, idle, busy (broken again), idle x3 -> trim
    const loads = [0.01, 0.02, 0.9, 0.8, 0.1, 0.01, 0.01, 0.01, 0.01, 0.3, 0.01, 0.01, 0.1, 0.01, 0.01, 0.5, 0.01, 0.01, 0.01];
    const trimAt: number[] = [];
    const stop = startIdleMemoryTrim({
      clock,
      everyMs: 1000,
      quietMs: 3000,
      utilization: () => loads.shift() ?? 0,
      trim: () => trimAt.push(clock.now()),
    });
    clock.advance(25_000);
    expect(trimAt).toEqual([8000, 19_000]);
    stop();
    expect(clock.pending).toBe(0);
  });

  it('waits a minute of quiet by default: a pause of 10-30 s between two bursts of load does not trim', () => {
    const clock = new ManualClock();
    // 5 s intervals: busy, 30 s idle, busy, then quiet for good
    const loads = [0.9, 0, 0, 0, 0, 0, 0, 0.9];
    const trimAt: number[] = [];
    const stop = startIdleMemoryTrim({ clock, utilization: () => loads.shift() ?? 0, trim: () => trimAt.push(clock.now()) });
    clock.advance(200_000);
    expect(trimAt).toEqual([40_000 + 60_000]);
    stop();
  });

  it("memoryReducingGc runs V8's gc without leaving a gc function in this or a new context", async () => {
    memoryReducingGc();
    memoryReducingGc();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    const { runInNewContext } = await import('node:vm');
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});
