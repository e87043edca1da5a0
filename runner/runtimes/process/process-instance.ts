/**
 * ProcessInstance: one service instance running as an OS process group, behind a guard (guard.ts).
 *
 *   micro-dev ──signals to -pid (the command's group)──> command + its children
 *        │     └─ stdout/stderr pipes (inherited through the guard) ──> LogTap ──> onLog
 *        └──── IPC with the guard: 'exit' {code, signal} of the real command; guard 'close' ──> exited
 *
 * stop(grace) = SIGTERM (+SIGCONT) to the group, grace, SIGKILL. pause/resume = SIGSTOP/SIGCONT to the group.
 */
import type { ChildProcess } from 'node:child_process';
import type { Clock } from '../../clock/clock.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import type { LogLine, StartedInstance } from '../runtime.ts';
import type { ExitReport } from '../worker/exit-report.ts';
import { LogTap } from '../worker/log-tap.ts';

/** After the guard exits, how long to wait for pipes held open by a stray descendant. */
const DRAIN_MS = 500;

export interface GuardExit {
  code: number | null;
  signal: string | null;
}

export class ProcessInstance implements StartedInstance {
  readonly instance: string;
  readonly kind = 'process' as const;
  readonly ref: string;
  readonly pid: number;
  readonly exited: Promise<ExitReport>;
  readonly #guard: ChildProcess;
  readonly #clock: Clock;
  readonly #tap: LogTap;
  #requested = false;
  #commandExited = false;
  #stopping: Promise<ExitReport> | undefined;

  /**
   * Built by ProcessRuntime once the guard reported the command started. `drained` resolves when the
   * output pipes have ended; `realExit` with the command's own exit as the guard reported it (undefined
   * when the guard's channel closed without a report).
   */
  constructor(
    instance: string,
    pid: number,
    guard: ChildProcess,
    tap: LogTap,
    drained: Promise<unknown>,
    realExit: Promise<GuardExit | undefined>,
    clock: Clock,
  ) {
    this.instance = instance;
    this.pid = pid;
    this.ref = String(pid);
    this.#guard = guard;
    this.#clock = clock;
    this.#tap = tap;
    let reported: GuardExit | undefined;
    void realExit.then((exit) => {
      reported = exit;
      this.#commandExited = true;
    });
    const guardGone = new Promise<GuardExit>((resolve) => {
      if (guard.exitCode !== null || guard.signalCode !== null) resolve({ code: guard.exitCode, signal: guard.signalCode });
      else guard.once('exit', (code, signal) => resolve({ code, signal }));
    });
    this.exited = guardGone.then(async (guardExit) => {
      this.#commandExited = true;
      // IPC messages and the guard's 'exit' event are not ordered: give the report the same short drain window.
      await Promise.race([Promise.all([drained, realExit]), this.#clock.sleep(DRAIN_MS)]);
      if (!reported) {
        // The guard died without reporting (killed from outside): its group must not live on unguarded.
        try {
          process.kill(-this.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      const real = reported ?? guardExit;
      return { code: real.code, signal: real.signal, requested: this.#requested, lastLines: this.#tap.lastLines() };
    });
  }

  onLog(listener: (line: LogLine) => void): () => void {
    return this.#tap.onLog(listener);
  }

  stop(graceMs: number): Promise<ExitReport> {
    if (this.#commandExited) return this.exited;
    // One stop at a time: a second SIGTERM means "quit now" to many programs.
    this.#stopping ??= this.#stop(graceMs);
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<ExitReport> {
    this.#requested = true;
    this.#signal('SIGTERM');
    this.#signal('SIGCONT'); // a paused group would never act on SIGTERM
    const timer = this.#clock.setTimeout(() => this.kill(), graceMs);
    const exit = await this.exited;
    timer.cancel();
    return exit;
  }

  /** SIGKILL to the whole group. Not marked requested: to the engine it looks like a crash. */
  kill(): void {
    this.#signal('SIGKILL');
    // The guard also sweeps whatever is left of the group once the command is gone.
    this.#tell({ type: 'signal', signal: 'SIGKILL' });
  }

  async pause(): Promise<void> {
    this.#assertRunning('pause');
    this.#signal('SIGSTOP');
  }

  async resume(): Promise<void> {
    this.#assertRunning('resume');
    this.#signal('SIGCONT');
  }

  #assertRunning(what: string): void {
    if (this.#commandExited) {
      throw new MicroDevError('NOT_RUNNING', `cannot ${what} ${this.instance}: it is not running (pid ${this.pid} exited)`);
    }
  }

  #signal(signal: NodeJS.Signals): void {
    // Once the command has exited its pid may be reused: only the guard may still signal its group then.
    if (this.#commandExited) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: already gone; 'exit' is on its way.
    }
  }

  #tell(message: object): void {
    if (!this.#guard.connected) return;
    try {
      this.#guard.send(message);
    } catch {
      // The guard is gone.
    }
  }
}
