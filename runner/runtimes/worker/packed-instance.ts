/**
 * PackedInstance: one service instance living in a shared InstanceHost thread (see instance-host.ts).
 *
 *   engine ──stop(grace)──> host {stop id} ──(grace)──> host {kill id}
 *   host {log id ...} ──> PassThrough per stream ──> LogTap ──> onLog listeners
 *   host {exit id code killed} ──> exited (killed reads as SIGKILL, as for a dedicated thread)
 *
 * Like a dedicated worker it cannot be paused. Killing it ends only this instance; the thread and its
 * neighbours go on.
 */
import { PassThrough } from 'node:stream';
import type { Clock } from '../../clock/clock.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import type { LogLine, StartedInstance } from '../runtime.ts';
import type { ExitReport } from './exit-report.ts';
import { LogTap } from './log-tap.ts';

/** What a PackedInstance needs from its host. */
export interface HostLink {
  readonly threadId: number;
  send(message: { type: 'stop' | 'kill'; id: string }): void;
}

export class PackedInstance implements StartedInstance {
  readonly instance: string;
  readonly kind = 'worker' as const;
  readonly ref: string;
  readonly exited: Promise<ExitReport>;
  readonly #host: HostLink;
  readonly #clock: Clock;
  readonly #tap: LogTap;
  readonly #out = { stdout: new PassThrough(), stderr: new PassThrough() };
  #requested = false;
  #hasExited = false;
  #ended!: (r: { code: number; killed: boolean }) => void;
  #stopping: Promise<ExitReport> | undefined;

  constructor(instance: string, host: HostLink, clock: Clock) {
    this.instance = instance;
    this.ref = `tid:${host.threadId}/${instance}`;
    this.#host = host;
    this.#clock = clock;
    this.#tap = new LogTap(instance);
    const drained = Promise.all([this.#tap.attach(this.#out.stdout, 'stdout'), this.#tap.attach(this.#out.stderr, 'stderr')]);
    this.exited = new Promise<{ code: number; killed: boolean }>((resolve) => (this.#ended = resolve)).then(async ({ code, killed }) => {
      this.#hasExited = true;
      this.#out.stdout.end();
      this.#out.stderr.end();
      await drained;
      return { code: killed ? null : code, signal: killed ? 'SIGKILL' : null, requested: this.#requested, lastLines: this.#tap.lastLines() };
    });
  }

  /** From the host: output of this instance. */
  output(stream: 'stdout' | 'stderr', text: string): void {
    if (!this.#hasExited) this.#out[stream].write(text);
  }

  /** From the host (or the pool when the whole thread died): this instance has ended. */
  ended(code: number, killed: boolean): void {
    this.#ended({ code, killed });
  }

  onLog(listener: (line: LogLine) => void): () => void {
    return this.#tap.onLog(listener);
  }

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
    this.#host.send({ type: 'stop', id: this.instance });
    const timer = this.#clock.setTimeout(() => this.#host.send({ type: 'kill', id: this.instance }), graceMs);
    const exit = await this.exited;
    timer.cancel();
    return exit;
  }

  kill(): void {
    if (!this.#hasExited) this.#host.send({ type: 'kill', id: this.instance });
  }

  async pause(): Promise<void> {
    throw this.#unsupported('pause');
  }

  async resume(): Promise<void> {
    throw this.#unsupported('resume');
  }

  #unsupported(what: string): MicroDevError {
    return new MicroDevError(
      'BAD_ARGUMENTS',
      `cannot ${what} ${this.instance}: it runs as a worker thread inside micro-dev's own process, which cannot be frozen on its own`,
      { hints: [`use runtime: process (or container) for services you want to ${what}`] },
    );
  }
}
