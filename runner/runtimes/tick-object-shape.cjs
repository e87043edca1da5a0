/**
 * Keeps one of process.nextTick's objects alive, so that the hidden classes (V8 maps) every tick object is
 * built with outlive V8's full garbage collections, and the optimized nextTick keeps its fast path.
 *
 * Why: Node's nextTick makes each tick as an object literal whose first keys are computed symbols
 * (`{[async_id_symbol]: id, [trigger_async_id_symbol]: trigger, [async_context_frame]: frame, callback, args}`).
 * The maps it passes through on the way (one per key) are reachable from the empty object's map only by weak
 * transitions; what holds them is a live tick object, and a tick lives for microseconds. A full GC that finds
 * none alive frees them: every memory-reducing one does (V8 keeps maps an inline cache saw for two more
 * full GCs, but not in those), and micro-dev's own thread gets one each time it goes quiet after a load (V8's
 * memory reducer, up's idle trim). The next tick builds the maps anew, and the optimized nextTick's feedback
 * for its computed keys meets a map it has not seen. After a few such cycles that feedback is megamorphic,
 * and from then on every tick defines its keys through V8's runtime (`Runtime_DefineKeyedOwnPropertyInLiteral`)
 * for the rest of the process's life.
 *
 * Measured: in an `up` that had been loaded and left idle a few times (tracing off, wrk -c32 on the
 * gateway), the main thread spent 22 µs a gateway request in that runtime call from nextTick (perf with
 * node's jitdump), 5 % of its busy time; the bare node:http chain of the e2e bench, none. Alone
 * (`node --expose-gc`, 1,000 ticks at a time, ten last-resort GCs between rounds): 420-750 ns a tick after
 * the first GCs, against 100-150 with a tick object kept.
 *
 * How: inside a tick, `async_hooks.executionAsyncResource()` is that tick's object (Node runs each tick in
 * its own async scope); one is kept. Re-captured every `everyMs`, so that if V8 ever replaces the maps (a
 * field widened, as the async ids will once past the small-integer range, ~10^9), the kept object has the
 * new ones. No async hook is installed, so nothing else about ticks or promises changes.
 *
 * Kept by `up` (runner/cli/commands/up.ts), by a scenario's own topology while it runs
 * (runner/scenarios/local-stage.ts: the data plane on the scenario's thread) and by every instance thread
 * (worker/thread-preload.cjs); callers are counted, so one letting go leaves it kept for the others.
 */
'use strict';
const { executionAsyncResource } = require('node:async_hooks');

/** @type {object | undefined} */
let kept;
/** Callers keeping it now (up and a scenario's own topology can share a thread), and the re-capture timer. */
let users = 0;
/** @type {NodeJS.Timeout | undefined} */
let timer;

/** The tick object kept now (for tests). */
function keptTickObject() {
  return kept;
}

function capture() {
  process.nextTick(() => {
    if (users > 0) kept = executionAsyncResource();
  });
}

/**
 * Starts keeping a tick object (this thread's); the returned function lets it go once every caller has let
 * go. The first caller's `everyMs` sets how often a fresh one is captured.
 * @param {number} [everyMs] how often a fresh one is captured
 * @returns {() => void}
 */
function keepTickObjectShape(everyMs = 60_000) {
  if (users++ === 0) {
    capture();
    timer = setInterval(capture, everyMs);
    timer.unref();
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--users > 0) return;
    clearInterval(timer);
    timer = undefined;
    kept = undefined;
  };
}

module.exports = { keepTickObjectShape, keptTickObject };
