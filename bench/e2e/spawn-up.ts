/**
 * `micro-dev up --no-tui` for a bench: spawned detached with the given node flags, its output in `logFile`,
 * resolved once it logs `micro-dev ready`. A start that fails or exits rejects with the log's tail.
 * The child joins `children` at once, so the bench's own cleanup kills it whatever happens next.
 *
 * The first time a bench starts an `up` with a given set of node flags, one `up` of the same topology is
 * started and stopped before it: Node's compile cache (bin/micro-dev.js) is then warm for every module of
 * micro-dev and of the services, as it is for a user's every `up` but the first after a change. A checkout's
 * first `up` after a source file changed type-strips that file again in every thread that imports it, and a
 * thread that strips loads Node's stripper: measured 248-250 MB idle for the whole tree against 192 warm
 * (default topology, a fresh NODE_COMPILE_CACHE, 2026-12-05), +56 MB the bench would have charged to the
 * data plane. (The packed package runs compiled JavaScript and never strips its own code.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { binPath, eventually } from '../../test/support/cli-process.ts';

export async function spawnUp(topologyFile: string, options: UpOptions): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const flags = options.nodeFlags.join(' ');
  if (!warmed.has(flags)) {
    warmed.add(flags);
    const started = Date.now();
    const warm = await startUp(topologyFile, { ...options, logFile: `${options.logFile}.warm-up` });
    warm.child.kill('SIGINT');
    await Promise.race([warm.exited, new Promise((r) => setTimeout(r, 15_000).unref())]);
    if (warm.child.exitCode === null && warm.child.signalCode === null) warm.child.kill('SIGKILL');
    options.children.delete(warm.child);
    console.log(`compile cache warmed: one up started and stopped (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  return startUp(topologyFile, options);
}

interface UpOptions {
  nodeFlags: string[];
  logFile: string;
  cwd: string;
  children: Set<ChildProcess>;
}

/** Node flag sets an `up` has already been started and stopped with in this bench. */
const warmed = new Set<string>();

async function startUp(topologyFile: string, options: UpOptions): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const fd = openSync(options.logFile, 'w');
  const child = spawn(process.execPath, [...options.nodeFlags, binPath, 'up', '-c', topologyFile, '--no-tui'], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  options.children.add(child);
  let exit: number | string | undefined;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exit = code ?? signal ?? '?'))));
  const tail = () => readFileSync(options.logFile, 'utf8').slice(-2000);
  await eventually(async () => exit !== undefined || tail().includes('micro-dev ready'), 90_000, 'micro-dev ready').catch((e: Error) => {
    throw new Error(`${e.message}\n${tail()}`);
  });
  if (exit !== undefined) throw new Error(`micro-dev up exited with ${exit}\n${tail()}`);
  return { child, exited };
}
