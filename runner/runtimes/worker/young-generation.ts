/**
 * How large a young generation each thread of `up` gets (issue 13). micro-dev's own thread (gateway, proxy,
 * links, trace store) allocates ~100 KB per gateway request; instance threads much less, and there are many.
 *
 *   bin/micro-dev.js shebang: --max-semi-space-size=16 ──> micro-dev's own thread: 16 MiB semi-spaces
 *   instanceThreadLimits() clears that flag (process-wide, read when a thread's heap is made)
 *     ──> each instance thread: resourceLimits below, 8 MiB semi-spaces (a 24 MiB young generation)
 *
 * V8 sizes a thread's heap from its process flags when the thread starts, and a --max-semi-space-size flag
 * overrides a Worker's resourceLimits: with the launcher's flag left in place every instance thread would get
 * the main thread's size. Cleared (0: unset), each thread made after takes resourceLimits, under any launch
 * (`npx micro-dev`, `node bin/micro-dev.js`, tests), and the main thread keeps what it was started with.
 *
 * Measured (2026-12-05, two `up`s side by side each, 10 alternating rounds of 5 s of wrk -c32 on the
 * gateway): 16 MiB for the main thread against 8 MiB for every thread: +13 % req/s and -10 % CPU per request
 * with tracing off, +10 % and -10 % with tracing on, for +11-12 MB RSS. The main thread scavenges half as
 * often, so the requests in flight and the trace store's kept traces are copied and promoted half as often
 * (V8's GC helper threads: 17-19 against 22-30 µs per request, tracing off). Instance threads stay at
 * 8 MiB: with every instance a thread, their young generations were most of the RSS `up` gained under load.
 */
import v8 from 'node:v8';

/** resourceLimits for every instance thread (its own and a packed host's): 8 MiB semi-spaces. */
export const INSTANCE_THREAD_LIMITS = Object.freeze({ maxYoungGenerationSizeMb: 24 });

let flagCleared = false;

/** The limits to give an instance thread, once the process-wide semi-space flag no longer overrides them. */
export function instanceThreadLimits(): { maxYoungGenerationSizeMb: number } {
  if (!flagCleared) {
    flagCleared = true;
    v8.setFlagsFromString('--max-semi-space-size=0');
  }
  return INSTANCE_THREAD_LIMITS;
}
