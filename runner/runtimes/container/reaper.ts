/**
 * acquireReaper: makes sure a reaper process (reaper-process.ts) watches this micro-dev process for a
 * Docker session, so that the session's containers and networks are removed within seconds of micro-dev
 * dying for any reason, SIGKILL included (the Ryuk idea of testcontainers, without an image to pull).
 *
 *   ContainerRuntime / startConsulContainer ──acquireReaper(session)──> one reaper per session (refcounted)
 *        ...creates labelled containers...                               holds our stdin pipe
 *   release() (last holder) ──end pipe──> reaper sweeps the (now empty) session and exits
 *   micro-dev killed        ──kernel closes pipe──> reaper sweeps the session and exits
 *
 * Call it before creating the first container of a session. The returned release function is idempotent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { ownPath } from '../../package/own-path.ts';

const REAPER_SCRIPT = ownPath('runner/runtimes/container/reaper-process.ts');
const READY_TIMEOUT_MS = 15_000;

interface Held {
  ready: Promise<ChildProcess>;
  holders: number;
}

const reapers = new Map<string, Held>();

/**
 * Resolves once the session's reaper is running (started on first acquire; about 0.5 s). Rejects with
 * START_FAILED when it cannot start (no Docker engine, timeout); nothing is left running then.
 */
export async function acquireReaper(session: string): Promise<() => Promise<void>> {
  let held = reapers.get(session);
  if (!held) {
    held = { ready: startReaper(session), holders: 0 };
    reapers.set(session, held);
    held.ready.catch(() => reapers.delete(session));
  }
  held.holders++;
  const mine = held;
  try {
    await mine.ready;
  } catch (e) {
    mine.holders--;
    throw e;
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (--mine.holders > 0) return;
    if (reapers.get(session) === mine) reapers.delete(session);
    const child = await mine.ready;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.stdin?.end();
    // The reaper sweeps what is left of the session (normally nothing) and exits; do not wait forever.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
  };
}

function startReaper(session: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [REAPER_SCRIPT, session, String(process.pid)], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Promise<ChildProcess>((resolve, reject) => {
    let out = '';
    let err = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new MicroDevError('START_FAILED', `the container reaper for session ${session} did not start: ${why}`, {
        hints: ['it removes this session\'s containers if micro-dev dies; it needs the Docker engine to answer'],
      }));
    };
    const timer = setTimeout(() => fail(`no "ready" within ${READY_TIMEOUT_MS}ms`), READY_TIMEOUT_MS);
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code) => fail(`exited with code ${code}${err.trim() ? `: ${lastLine(err)}` : ''}`));
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      if (!out.includes('ready\n')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      child.on('error', () => undefined);
      // From here on the only tie is the stdin pipe: nothing of the reaper keeps micro-dev's loop alive.
      child.stdout!.destroy();
      child.stderr!.destroy();
      child.stdin!.on('error', () => undefined);
      (child.stdin as unknown as { unref(): void }).unref();
      child.unref();
      resolve(child);
    });
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1];
}
