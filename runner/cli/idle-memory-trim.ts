/**
 * Idle memory trim for `up` (issue 13, flat memory): once micro-dev's own thread goes quiet after a busy
 * stretch, one memory-reducing GC gives the heap pages the load left behind back to the OS.
 *
 * Why: V8 13 (Node 24) keeps the pages a major GC frees in a pool, still mapped and resident, for the next
 * allocations; it empties the pool only on a memory-reducing GC (memory pressure, or its memory reducer,
 * which an `up` with heartbeats and timers ticking did not get in minutes). Measured: after 5 minutes of
 * wrk on the gateway the tree held ~300 MB for good, ~120 MB of it pooled pages and garbage of the main
 * heap (bench/e2e/memory-soak.ts).
 *
 * How: every `everyMs` the thread's event-loop utilization over the last interval is read; an interval at
 * `busy` or above marks a busy stretch, and once the thread has stayed under `idle` for `quietMs` after one,
 * the GC runs (V8's "last resort" major GC: full, compacting, pool released; ~40-80 ms at micro-dev's heap
 * size, paid once per busy stretch, when nothing is waiting). An idle `up` never runs it.
 *
 * Why only after a minute of quiet: the last-resort GC also throws away much of the compiled code, so the
 * next load runs in V8's lower tiers until it is optimized again (`--trace-opt`: 450-520 functions compiled
 * in the next 6 s of load, against 150-330 without the trim). Trimmed after the first quiet 5 s, every burst
 * of load that followed a pause of 10 s or more paid that: 6 s bursts after 12-18 s pauses, cyclic over
 * three `up`s, ran at 0.75 of the same `up` without the trim (median of 8 rounds, 3 runs; `bench/e2e`'s rounds
 * and the tracing bench's alternation had exactly such pauses). A minute of quiet is a pause a user takes,
 * not the gap between two requests of a test or two steps of a drill.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Clock } from '../clock/clock.ts';

type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

let gcFunction: GcFunction | undefined;

/** A full, memory-reducing GC of this thread's heap (V8's gc() with flavor 'last-resort'). */
export function memoryReducingGc(): void {
  if (!gcFunction) {
    const exposed = (globalThis as { gc?: GcFunction }).gc;
    if (typeof exposed === 'function') gcFunction = exposed;
    else {
      // V8 gives `gc` to contexts created while --expose-gc is on: this one only, then it is off again, so
      // no other context (an instance thread's, the services' code) ever sees a gc function.
      setFlagsFromString('--expose-gc');
      try {
        gcFunction = runInNewContext('gc') as GcFunction;
      } finally {
        setFlagsFromString('--no-expose-gc');
      }
    }
  }
  gcFunction({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

export interface IdleTrimOptions {
  clock: Clock;
  everyMs?: number;
  /** Event-loop utilization (0..1) over an interval from which the thread counts as busy, and under which as idle. */
  busy?: number;
  idle?: number;
  /** How long the thread stays idle after a busy stretch before the trim runs (counted in whole intervals). */
  quietMs?: number;
  /** Test seams: the utilization since the last call, and the trim itself. */
  utilization?: () => number;
  trim?: () => void;
}

/** Starts watching; the returned function stops it. */
export function startIdleMemoryTrim(options: IdleTrimOptions): () => void {
  const { clock, everyMs = 5000, busy = 0.2, idle = 0.05, quietMs = 60_000, trim = memoryReducingGc } = options;
  const utilization = options.utilization ?? eventLoopUtilization();
  let busyStretch = false;
  let quietFor = 0;
  let timer = clock.setTimeout(function tick() {
    const u = utilization();
    if (u >= busy) busyStretch = true;
    if (!busyStretch || u >= idle) quietFor = 0;
    else if ((quietFor += everyMs) >= quietMs) {
      busyStretch = false;
      quietFor = 0;
      trim();
    }
    timer = clock.setTimeout(tick, everyMs);
  }, everyMs);
  return () => timer.cancel();
}

function eventLoopUtilization(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const u = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return u;
  };
}
