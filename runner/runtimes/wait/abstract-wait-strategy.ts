/**
 * AbstractWaitStrategy: what every strategy shares: a deadline on an injectable Clock, failing fast when
 * the instance exits, and the caller's abort signal, all folded into one signal handed to `run()`.
 *
 *   deadline timer ─┐
 *   instance.exited ┼──> inner AbortController ──> run(target, inner.signal) (polls or listens)
 *   caller signal ──┘
 */
import { SystemClock, type Clock } from '../../clock/clock.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import type { ExitInfo } from '../runtime.ts';
import { exitLines, isTelling, tellingLine } from '../worker/exit-report.ts';
import type { WaitResult, WaitStrategy, WaitTarget } from './wait-strategy.ts';

export const DEFAULT_DEADLINE_MS = 60_000;

export abstract class AbstractWaitStrategy implements WaitStrategy {
  protected deadlineMs = DEFAULT_DEADLINE_MS;
  protected clock: Clock = new SystemClock();

  /** Milliseconds from the start of wait() until it gives up with NOT_READY. */
  withDeadline(ms: number): this {
    this.deadlineMs = ms;
    return this;
  }

  withClock(clock: Clock): this {
    this.clock = clock;
    return this;
  }

  abstract describe(): string;

  /** Works until ready; must stop promptly (rejecting) when signal aborts. */
  protected abstract run(target: WaitTarget, signal: AbortSignal): Promise<WaitResult>;

  /** The NOT_READY message when the deadline passes, naming the subject and the limit. */
  protected abstract timeoutMessage(target: WaitTarget): string;

  async wait(target: WaitTarget, options: { signal: AbortSignal }): Promise<WaitResult> {
    options.signal.throwIfAborted();
    const inner = new AbortController();
    const fail = (reason: unknown) => {
      if (!inner.signal.aborted) inner.abort(reason);
    };
    const timer = this.clock.setTimeout(
      () => fail(new MicroDevError('NOT_READY', this.timeoutMessage(target))),
      this.deadlineMs,
    );
    const onAbort = () => fail(options.signal.reason);
    options.signal.addEventListener('abort', onAbort, { once: true });
    let lastLine: string | undefined;
    const unsubscribe = target.instance.onLog((line) => {
      if (isTelling(line.line)) lastLine = line.line;
    });
    void target.instance.exited.then((exit) => fail(exitedError(target.instance.instance, exit, lastLine)));
    const failed = new Promise<never>((_, reject) =>
      inner.signal.addEventListener('abort', () => reject(inner.signal.reason), { once: true }),
    );
    failed.catch(() => undefined); // settles after success too (the finally below aborts inner)
    try {
      const ran = this.run(target, inner.signal).catch((error: unknown) => {
        throw inner.signal.aborted ? inner.signal.reason : error;
      });
      return await Promise.race([ran, failed]);
    } finally {
      timer.cancel();
      options.signal.removeEventListener('abort', onAbort);
      unsubscribe();
      inner.abort(new Error('wait settled'));
    }
  }
}

function exitedError(instance: string, exit: ExitInfo, lastLine: string | undefined): MicroDevError {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const line = tellingLine(exitLines(exit)) ?? lastLine;
  return new MicroDevError('NOT_READY', `${instance} ${how} before it was ready${line ? `: ${line}` : ''}`);
}
