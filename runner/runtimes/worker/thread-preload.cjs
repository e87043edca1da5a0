// Preloaded (--require) into every instance thread (new-thread.ts, newThread), before the
// instance's code:
// - nextTick keeps its fast path through the thread's full GCs (../tick-object-shape.cjs: one of its tick
//   objects kept alive);
// - when micro-dev runs with Node's compile cache on, the thread reads the cached, already type-stripped
//   code of the modules it loads, so it never loads Node's TypeScript stripper (~12 MB a thread) unless a
//   file changed since. The folder comes in MICRO_DEV_COMPILE_CACHE, removed here before the instance's
//   code runs: an instance's env is exactly its own.
require('../tick-object-shape.cjs').keepTickObjectShape();
const dir = process.env.MICRO_DEV_COMPILE_CACHE;
delete process.env.MICRO_DEV_COMPILE_CACHE;
if (dir) process.getBuiltinModule('node:module').enableCompileCache(dir);
