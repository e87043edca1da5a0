/**
 * HttpWaitStrategy: ready when `GET http://<host>:<port><path>` answers with the expected status.
 * Each attempt is a fresh connection (no keep-alive pool that could hold the instance's server open) and
 * gives up after attemptTimeoutMs so a hung answer does not eat the whole deadline.
 */
import { request } from 'node:http';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { AbstractWaitStrategy } from './abstract-wait-strategy.ts';
import { pollUntil } from './poll-until.ts';
import type { WaitResult, WaitTarget } from './wait-strategy.ts';

export class HttpWaitStrategy extends AbstractWaitStrategy {
  readonly #path: string;
  readonly #port: number | undefined;
  #accepts: (status: number) => boolean = (status) => status === 200;
  #expected = '200';
  #attemptTimeoutMs = 1000;
  #last = '';

  constructor(path: string, port?: number) {
    super();
    this.#path = path.startsWith('/') ? path : `/${path}`;
    this.#port = port;
  }

  forStatusCode(status: number): this {
    this.#accepts = (s) => s === status;
    this.#expected = String(status);
    return this;
  }

  forStatusCodeMatching(predicate: (status: number) => boolean): this {
    this.#accepts = predicate;
    this.#expected = 'a matching status';
    return this;
  }

  withAttemptTimeout(ms: number): this {
    this.#attemptTimeoutMs = ms;
    return this;
  }

  describe(): string {
    return `HTTP GET ${this.#path}${this.#port ? ` on port ${this.#port}` : ''} -> ${this.#expected} (deadline ${this.deadlineMs}ms)`;
  }

  protected timeoutMessage(target: WaitTarget): string {
    return `URL ${this.#url(target)} not accessible after ${this.deadlineMs}ms${this.#last ? ` (${this.#last})` : ''}`;
  }

  protected async run(target: WaitTarget, signal: AbortSignal): Promise<WaitResult> {
    const url = this.#url(target);
    await pollUntil(this.clock, signal, async () => {
      const status = await this.#get(url, signal);
      if (status !== undefined) this.#last = `last status ${status}`;
      return status !== undefined && this.#accepts(status) ? true : undefined;
    });
    return {};
  }

  #url(target: WaitTarget): string {
    const port = this.#port ?? target.port;
    if (port === undefined) {
      throw new MicroDevError('NOT_READY', `${target.instance.instance}: no port to check ${this.#path} on (set readiness.port)`);
    }
    return `http://${target.host}:${port}${this.#path}`;
  }

  /** The status code, or undefined when there was no answer in time (refused, reset, timed out). */
  #get(url: string, signal: AbortSignal): Promise<number | undefined> {
    return new Promise((resolve) => {
      const req = request(url, { agent: false, signal }, (res) => {
        res.resume();
        timer.cancel();
        resolve(res.statusCode);
      });
      const timer = this.clock.setTimeout(() => req.destroy(), this.#attemptTimeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        timer.cancel();
        if (!signal.aborted) this.#last = error.code ?? error.message;
        resolve(undefined);
      });
      req.end();
    });
  }
}
