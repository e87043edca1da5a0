/**
 * Test harness: runs a kit service module as a worker thread or a child process (the two ways the runtimes
 * run them), collects its log lines, and waits for lines/exits with deadlines.
 */
import { Worker } from 'node:worker_threads';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const NODE = `${ROOT}node_modules/.bin/node`;

export interface RunningService {
  readonly lines: string[];
  /** Resolves with the first line matching re (already seen or future); rejects after ms. */
  waitForLine(re: RegExp, ms?: number): Promise<string>;
  /** Resolves with the exit code once it ends. */
  readonly exited: Promise<number | null>;
  /** Graceful stop: {type:'stop'} for workers, SIGTERM for processes. */
  stop(): void;
  kill(): void;
  readonly child?: ChildProcess;
}

function collect(streams: (Readable | null | undefined)[]) {
  const lines: string[] = [];
  const waiters = new Set<{ re: RegExp; resolve: (l: string) => void }>();
  for (const s of streams) {
    if (!s) continue;
    createInterface({ input: s }).on('line', (line) => {
      lines.push(line);
      for (const w of waiters) {
        if (w.re.test(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
      }
    });
  }
  const waitForLine = (re: RegExp, ms = 10_000) =>
    new Promise<string>((resolve, reject) => {
      const hit = lines.find((l) => re.test(l));
      if (hit) return resolve(hit);
      const w = {
        re,
        resolve: (l: string) => {
          clearTimeout(t);
          resolve(l);
        },
      };
      const t = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`no log line matching ${re} within ${ms}ms; got:\n${lines.join('\n')}`));
      }, ms);
      waiters.add(w);
    });
  return { lines, waitForLine };
}

export function runWorker(main: string, env: Record<string, string>): RunningService {
  const worker = new Worker(`${ROOT}${main}`, { env: { ...process.env, ...env }, stdout: true, stderr: true });
  const { lines, waitForLine } = collect([worker.stdout, worker.stderr]);
  const exited = new Promise<number | null>((resolve) => {
    worker.once('exit', resolve);
    worker.once('error', (e: Error) => lines.push(`worker error: ${e.message}`));
  });
  return { lines, waitForLine, exited, stop: () => worker.postMessage({ type: 'stop' }), kill: () => void worker.terminate() };
}

export function runProcess(main: string, env: Record<string, string>): RunningService {
  const child = spawn(NODE, [`${ROOT}${main}`], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const { lines, waitForLine } = collect([child.stdout, child.stderr]);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { lines, waitForLine, exited, stop: () => child.kill('SIGTERM'), kill: () => child.kill('SIGKILL'), child };
}

/** Polls cond until it holds or ms pass (bounded; for state without an event to wait on). */
export async function waitFor<T>(what: string, cond: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves the promise's value, or rejects naming `what` after ms. */
export function within<T>(what: string, p: Promise<T>, ms = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not happen within ${ms}ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e as Error)),
    );
  });
}
