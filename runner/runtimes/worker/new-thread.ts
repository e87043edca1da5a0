/**
 * newThread: a Worker for instance code, with a `--require` preload (thread-preload.cjs: nextTick's objects
 * kept in shape, ../tick-object-shape.cjs) and Node's compile cache when micro-dev's own thread has it on
 * (bin/micro-dev.js enables it: Node's default folder or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1
 * turns it off).
 *
 * Measured (issue 13): a thread that imports a .ts module costs ~12 MB more RSS than one importing the same
 * code as .js, all of it Node's type stripper; with a warm cache the stripper is never loaded. A thread
 * cannot take the cache from micro-dev's env (an instance's env is exactly its spec's), so it gets the
 * folder in MICRO_DEV_COMPILE_CACHE, which the preload turns on and removes before the instance's code runs.
 *
 * Given execArgv, a Worker does not inherit micro-dev's own, so they are passed on (--cpu-prof, --inspect
 * ... keep reaching instance threads); when one of them is a flag a Worker refuses (V8's
 * --max-semi-space-size of the launcher's shebang, process-wide anyway) they are left out from then on.
 */
import { getCompileCacheDir } from 'node:module';
import { dirname } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { ownPath } from '../../package/own-path.ts';
import { trackThread } from './live-threads.ts';

let inheritExecArgv = true;

export function newThread(file: string | URL, options: Omit<WorkerOptions, 'env' | 'execArgv'> & { env: Record<string, string> }): Worker {
  const worker = spawnThread(file, options);
  trackThread(worker, options.name ?? `thread ${worker.threadId}`);
  return worker;
}

function spawnThread(file: string | URL, options: Omit<WorkerOptions, 'env' | 'execArgv'> & { env: Record<string, string> }): Worker {
  const dir = getCompileCacheDir?.();
  const preload = ['--require', ownPath('runner/runtimes/worker/thread-preload.cjs')];
  // Node answers with its folder for this Node version inside the one it was given, and adds that level
  // again to whatever folder it is given: the thread gets the folder micro-dev's own thread was given.
  const env = dir ? { ...options.env, MICRO_DEV_COMPILE_CACHE: dirname(dir) } : options.env;
  if (inheritExecArgv) {
    try {
      return new Worker(file, { ...options, env, execArgv: [...process.execArgv, ...preload] });
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
      inheritExecArgv = false;
    }
  }
  return new Worker(file, { ...options, env, execArgv: preload });
}
