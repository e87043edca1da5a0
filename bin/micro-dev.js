#!/usr/bin/env -S node --max-semi-space-size=16 --heap-growing-percent=60 --max-valid-polymorphic-map-count=8
// The micro-dev launcher. In the checkout TypeScript runs natively (Node >= 22.18 strips types), so there is
// no build step; the installed package (where Node will not strip types under node_modules) runs the
// JavaScript compiled into dist/ at prepack. The sources win when both are there.
// Under an older Node it says so plainly instead of failing on the first import.
import { existsSync } from 'node:fs';
// A namespace import: a named one of an export this Node lacks (enableCompileCache came in 22.1) would fail
// before the version check below could say what is wrong.
import * as nodeModule from 'node:module';

// Ctrl-C before the CLI's own handlers load must not kill `up` half-started: hold such signals here, in the
// launcher's first lines; runner/cli/shutdown-signals.ts takes them over (and these listeners off).
const earlySignals = { held: [], hold: (signal) => earlySignals.held.push(signal) };
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, earlySignals.hold);
globalThis[Symbol.for('micro-dev.early-signals')] = earlySignals;

const [major, minor] = process.versions.node.split('.').map(Number);
if (!process.features?.typescript && (major < 22 || (major === 22 && minor < 18))) {
  process.stderr.write(
    `micro-dev needs Node >= 22.18 (this is ${process.version}).\n` +
      `Install a newer Node, or run it through npm in the micro-dev repository (it pins Node 24): npx micro-dev ...\n`,
  );
  process.exit(2);
}
// `up` is long-running and allocates fast under load: V8 grows a thread's young generation up to 3 x 64 MiB
// semi-spaces and keeps it (issue 13). micro-dev's own thread (gateway, proxy, links, trace store; ~100 KB
// of garbage per gateway request) gets 16 MiB semi-spaces: against 8 MiB, +13 % gateway throughput with
// tracing off and +10 % with it on, CPU per request -10 %, for ~12 MB of RSS (2026-12-05); it scavenges half
// as often, so requests in flight and kept traces are copied and promoted half as often. Instance threads
// keep 8 MiB: the worker runtime clears this flag before it makes them, so their resourceLimits decide
// (runner/runtimes/worker/young-generation.ts). And the old generation: V8 lets
// it grow up to 4x what survived the last major GC before the next one (measured: micro-dev's own heap at
// 100-140 MB under wrk with 30-40 MB live), and keeps the pages that GC frees, resident, for reuse; a growth
// of 60 % per GC instead held the whole tree at ~260 MB under load instead of ~320 (bench/e2e/memory-soak.ts),
// with no CPU per request cost we could resolve. And inline caches: V8 turns a property access site
// megamorphic, for good, once it has seen more than 4 live object shapes. A long-running `up` under load got
// there in node's own hot paths (first seen in process.nextTick's tick object: 4 of its 5 property definitions
// megamorphic, 0.32 µs a tick against 0.08) in 8 of the 9 `up`s that ran for minutes under alternating load,
// and ran the gateway path 10-15 % slower than a twin that had not (main thread 259 against 214 µs of user
// time per request, 12 alternating rounds, 2026-12-05). With room for 8 shapes, neither of the 2 `up`s run
// the same way got there (bench/HISTORY.md).
// V8 flags are per process: instance threads get them too (but for the semi-space size, see above).
// Flags work only at start, so they stand in the shebang above (a launch through `node bin/micro-dev.js`
// goes without them). A re-exec of Node with the flags was tried and dropped: a Ctrl-C during the second
// boot killed `up` by the signal.
// Node's compile cache (its default folder, or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off):
// our TypeScript is type-stripped once, not at every start, and instance threads that find their modules
// cached never load the stripper (~12 MB each; runner/runtimes/worker/worker-compile-cache.ts).
nodeModule.enableCompileCache?.();
const own = (path) => {
  const source = new URL(`../runner/cli/${path}.ts`, import.meta.url);
  return existsSync(source) ? source.href : new URL(`../dist/runner/cli/${path}.js`, import.meta.url).href;
};
// Ctrl-C is caught from here on (before the rest loads), so `up` can stop cleanly at any moment.
await import(own('shutdown-signals'));
await import(own('main'));
