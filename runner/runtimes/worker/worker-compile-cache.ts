/**
 * Node's compile cache for instance threads, when micro-dev's own thread has it on (bin/micro-dev.js
 * enables it: Node's default folder or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off).
 *
 * Measured (issue 13): a thread that imports a .ts module costs ~12 MB more RSS than one importing the same
 * code as .js, all of it Node's type stripper; with a warm cache the stripper is never loaded. A thread
 * cannot take the cache from micro-dev's env (an instance's env is exactly its spec's), so it gets a
 * `--require` preload (compile-cache-preload.cjs) and the folder in MICRO_DEV_COMPILE_CACHE, which the
 * preload removes before the instance's code runs.
 *
 * Given execArgv, a thread no longer inherits micro-dev's own: micro-dev is started with V8 flags only
 * (--max-semi-space-size, process-wide anyway), which a Worker refuses in execArgv.
 */
import { getCompileCacheDir } from 'node:module';
import { dirname } from 'node:path';
import { ownPath } from '../../package/own-path.ts';

export interface ThreadCompileCache {
  execArgv: string[];
  env: { MICRO_DEV_COMPILE_CACHE: string };
}

export function threadCompileCache(): ThreadCompileCache | undefined {
  const dir = getCompileCacheDir?.();
  if (!dir) return undefined;
  // Node answers with its folder for this Node version inside the one it was given, and adds that level
  // again to whatever folder it is given: the thread gets the folder micro-dev's own thread was given.
  return { execArgv: ['--require', ownPath('runner/runtimes/worker/compile-cache-preload.cjs')], env: { MICRO_DEV_COMPILE_CACHE: dirname(dir) } };
}
