// Preloaded (--require) into every instance thread when micro-dev runs with Node's compile cache on
// (worker-compile-cache.ts): the thread reads the cached, already type-stripped code of the modules it
// loads, so it never loads Node's TypeScript stripper (~12 MB a thread) unless a file changed since.
// The folder comes in MICRO_DEV_COMPILE_CACHE, removed here before the instance's code runs: an instance's
// env is exactly its own.
const dir = process.env.MICRO_DEV_COMPILE_CACHE;
delete process.env.MICRO_DEV_COMPILE_CACHE;
if (dir) process.getBuiltinModule('node:module').enableCompileCache(dir);
