/**
 * LogWaitStrategy: ready when the instance has written a line matching the pattern `times` times (stdout
 * or stderr). Event driven: no polling. Counts only lines written after wait() began.
 */
import { AbstractWaitStrategy } from './abstract-wait-strategy.ts';
import type { WaitResult, WaitTarget } from './wait-strategy.ts';

export class LogWaitStrategy extends AbstractWaitStrategy {
  readonly #pattern: RegExp | string;
  readonly #times: number;
  #seen = 0;

  constructor(pattern: RegExp | string, times = 1) {
    super();
    // A g or y flag would make test() remember lastIndex between lines.
    this.#pattern = typeof pattern === 'string' ? pattern : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    this.#times = times;
  }

  describe(): string {
    return `log line ${this.#show()}${this.#times > 1 ? ` x${this.#times}` : ''} (deadline ${this.deadlineMs}ms)`;
  }

  protected timeoutMessage(target: WaitTarget): string {
    const count = this.#times > 1 ? ` ${this.#times} times (seen ${this.#seen})` : '';
    return `${target.instance.instance} did not log ${this.#show()}${count} after ${this.deadlineMs}ms`;
  }

  protected run(target: WaitTarget, signal: AbortSignal): Promise<WaitResult> {
    this.#seen = 0;
    return new Promise((resolve, reject) => {
      const unsubscribe = target.instance.onLog((line) => {
        const hit = typeof this.#pattern === 'string' ? line.line.includes(this.#pattern) : this.#pattern.test(line.line);
        if (hit && ++this.#seen >= this.#times) {
          unsubscribe();
          resolve({});
        }
      });
      signal.addEventListener(
        'abort',
        () => {
          unsubscribe();
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  #show(): string {
    return typeof this.#pattern === 'string' ? JSON.stringify(this.#pattern) : String(this.#pattern);
  }
}
