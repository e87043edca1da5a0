/**
 * WorkerInstance: one service instance running in a worker_threads Worker inside micro-dev's process.
 *
 *   engine ──stop(grace)──> postMessage({type:'stop'}) ──(grace)──> worker.terminate()
 *   worker.stdout/stderr ──> LogTap ──> onLog listeners
 *   'error' (uncaught in the worker) ──> one stderr line; 'exit' ──> exited (after output is drained)
 *
 * Threads share the process: no signals, so pause()/resume() are refused and kill() is terminate().
 */
import type { Worker } from 'node:worker_threads';
import type { Clock } from '../../clock/clock.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import type { LogLine, StartedInstance } from '../runtime.ts';
import type { ExitReport } from './exit-report.ts';
import { LogTap } from './log-tap.ts';
import { describeError } from './error-location.ts';

/** How long to wait for the output streams to drain after the thread exited. */
const DRAIN_MS = 500;

export class WorkerInstance implements StartedInstance {
  readonly instance: string;
  readonly kind = 'worker' as const;
  readonly ref: string;
  readonly exited: Promise<ExitReport>;
  readonly #worker: Worker;
  readonly #tap: LogTap;
  readonly #clock: Clock;
  #requested = false;
  #terminated = false;
  #hasExited = false;
  #stopping: Promise<ExitReport> | undefined;

  constructor(instance: string, worker: Worker, clock: Clock) {
    this.instance = instance;
    this.ref = `tid:${worker.threadId}`;
    this.#worker = worker;
    this.#clock = clock;
    this.#tap = new LogTap(instance);
    const drained = Promise.all([
      this.#tap.attach(worker.stdout, 'stdout'),
      this.#tap.attach(worker.stderr, 'stderr'),
    ]);
    // Listening for 'error' is what keeps an uncaught error in the worker from crashing micro-dev.
    worker.on('error', (error: unknown) => {
      // Where in the user's code: FILE:LINE:COL (a syntax error's marker, or the first frame of theirs).
      this.#tap.emit('stderr', describeError(error));
    });
    this.exited = new Promise<number>((resolve) => worker.once('exit', resolve)).then(async (code) => {
      this.#hasExited = true;
      await Promise.race([drained, this.#clock.sleep(DRAIN_MS)]);
      const killed = this.#terminated;
      return {
        code: killed ? null : code,
        // terminate() is the worker's SIGKILL: report it the same way a process would be.
        signal: killed ? 'SIGKILL' : null,
        requested: this.#requested,
        lastLines: this.#tap.lastLines(),
      };
    });
  }

  onLog(listener: (line: LogLine) => void): () => void {
    return this.#tap.onLog(listener);
  }

  /** For the runtime: see LogTap.closeReplayWindow. */
  closeReplayWindow(): void {
    this.#tap.closeReplayWindow();
  }

  stop(graceMs: number): Promise<ExitReport> {
    if (this.#hasExited) return this.exited;
    this.#stopping ??= this.#stop(graceMs);
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<ExitReport> {
    this.#requested = true;
    this.#worker.postMessage({ type: 'stop' });
    const timer = this.#clock.setTimeout(() => this.#terminate(), graceMs);
    const exit = await this.exited;
    timer.cancel();
    return exit;
  }

  /** Hard kill. Not marked requested: to the engine it looks like a crash, as a SIGKILL from outside would. */
  kill(): void {
    this.#terminate();
  }

  async pause(): Promise<void> {
    throw this.#unsupported('pause');
  }

  async resume(): Promise<void> {
    throw this.#unsupported('resume');
  }

  #terminate(): void {
    if (this.#hasExited || this.#terminated) return;
    this.#terminated = true;
    void this.#worker.terminate().catch(() => undefined);
  }

  #unsupported(what: string): MicroDevError {
    return new MicroDevError(
      'BAD_ARGUMENTS',
      `cannot ${what} ${this.instance}: it runs as a worker thread inside micro-dev's own process, which cannot be frozen on its own`,
      { hints: [`use runtime: process (or container) for services you want to ${what}`] },
    );
  }
}
