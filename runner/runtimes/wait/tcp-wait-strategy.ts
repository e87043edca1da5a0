/** TcpWaitStrategy: ready when a TCP connection to <host>:<port> is accepted (then closed at once). */
import { connect } from 'node:net';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { AbstractWaitStrategy } from './abstract-wait-strategy.ts';
import { pollUntil } from './poll-until.ts';
import type { WaitResult, WaitTarget } from './wait-strategy.ts';

export class TcpWaitStrategy extends AbstractWaitStrategy {
  readonly #port: number | undefined;

  constructor(port?: number) {
    super();
    this.#port = port;
  }

  describe(): string {
    return `TCP connect${this.#port ? ` to port ${this.#port}` : ''} (deadline ${this.deadlineMs}ms)`;
  }

  protected timeoutMessage(target: WaitTarget): string {
    return `port ${target.host}:${this.#port ?? target.port} of ${target.instance.instance} not listening after ${this.deadlineMs}ms`;
  }

  protected async run(target: WaitTarget, signal: AbortSignal): Promise<WaitResult> {
    const port = this.#port ?? target.port;
    if (port === undefined) {
      throw new MicroDevError('NOT_READY', `${target.instance.instance}: no port to check (set readiness.port)`);
    }
    await pollUntil(this.clock, signal, () => tryConnect(target.host, port, signal));
    return { address: `${target.host}:${port}` };
  }
}

function tryConnect(host: string, port: number, signal: AbortSignal): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, signal });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(undefined));
  });
}
