import type { Clock, Timer } from '../../clock/clock.ts';

/**
 * Runs fn every `everyMs` on a Clock (first run after `firstMs`), passing the model ms elapsed since the
 * previous run (Eureka's eviction compensation needs it). stop() cancels the pending run.
 */
export function repeatingTimer(clock: Clock, everyMs: number, fn: (elapsedMs: number) => void, firstMs = everyMs): Timer {
  let last = clock.now();
  let timer: Timer | undefined;
  let stopped = false;
  const run = () => {
    if (stopped) return;
    const now = clock.now();
    const elapsed = now - last;
    last = now;
    timer = clock.setTimeout(run, everyMs);
    fn(elapsed);
  };
  timer = clock.setTimeout(run, firstMs);
  return {
    cancel: () => {
      stopped = true;
      timer?.cancel();
    },
  };
}
