import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock/clock.ts';
import { pollUntil } from './poll-until.ts';

describe('pollUntil', () => {
  it('backs off between attempts on the clock and stops with the signal', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const at: number[] = [];
    const polling = pollUntil(clock, controller.signal, async () => {
      at.push(clock.now());
      return undefined;
    }, { initialMs: 100, maxMs: 300, factor: 2 });
    // Small steps, so each attempt reads the time its timer fell due.
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(50);
    }
    controller.abort(new Error('deadline'));
    await expect(polling).rejects.toThrow('deadline');
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    expect(gaps.slice(0, 4)).toEqual([100, 200, 300, 300]);
    expect(clock.pending).toBe(0);
  });

  it('returns the first value an attempt produces', async () => {
    let n = 0;
    const clock = new ManualClock();
    const polling = pollUntil(clock, new AbortController().signal, async () => (++n === 2 ? 'ok' : undefined));
    await new Promise((r) => setImmediate(r));
    clock.advance(1000);
    await expect(polling).resolves.toBe('ok');
  });
});
