/**
 * pollUntil: the one polling loop of readiness checks. Calls attempt() until it returns a value, sleeping on
 * the Clock between attempts with a growing delay (initialMs * factor^n, at most maxMs). It has no deadline
 * of its own: it ends when the signal aborts (the wait strategy's deadline, the instance's exit, the caller),
 * rejecting with signal.reason.
 */
import type { Clock } from '../../clock/clock.ts';

export interface PollOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
}

export async function pollUntil<T>(
  clock: Clock,
  signal: AbortSignal,
  attempt: (signal: AbortSignal) => Promise<T | undefined>,
  { initialMs = 20, maxMs = 200, factor = 1.5 }: PollOptions = {},
): Promise<T> {
  for (let delay = initialMs; ; delay = Math.min(delay * factor, maxMs)) {
    signal.throwIfAborted();
    const value = await attempt(signal);
    if (value !== undefined) return value;
    await clock.sleep(delay, signal);
  }
}
