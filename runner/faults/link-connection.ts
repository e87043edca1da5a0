/**
 * LinkConnection: one accepted client socket, its upstream socket, and a ToxicChain per direction.
 *
 *   client --data--> upstream chain (client -> server) --> server socket
 *   client <-------- downstream chain (server -> client) <--data-- server socket
 *
 * Half-closes travel through the chains (a FIN is data a toxic may delay). An error on either socket, or
 * a failed upstream connect, tears down both. Per-request toxicity: when the link carries a toxic with
 * 0 < toxicity < 1, the client bytes go through an HttpRequestBoundary first and both chains redraw at
 * each request start.
 */
import net from 'node:net';
import type { Clock } from '../clock/clock.ts';
import { HttpExchangeMeter, type ExchangeObserver } from './http-exchange-meter.ts';
import { ExchangeTracing } from './exchange-tracing.ts';
import { HttpRequestBoundary } from './http-request-boundary.ts';
import type { LinkTracer } from './link-tracer.ts';
import type { LinkEnd } from './local-socket.ts';
import type { ToxicView } from './toxic-catalogue.ts';
import { unixSocketPath } from '../../services/kit/unix-socket.ts';
import { ToxicChain } from './toxic-chain.ts';

/** Where a link's connections go: host:port, and the Unix socket the same server listens on, when known. */
export interface LinkUpstream {
  host: string;
  port: number;
  unix?: string;
}

/** What a request met on a link without toxics (most of them): no arrays made per request. */
const NO_TOXICS: readonly ToxicView[] = Object.freeze([]);

export interface ConnectionEnv {
  timers: Clock;
  random(): number;
  /** True while some toxic on the link has 0 < toxicity < 1 (read per chunk, so it can change live). */
  perRequest(): boolean;
  countUp(bytes: number): void;
  countDown(bytes: number): void;
  /** Times this connection's HTTP exchanges (the instance's inbound traffic), when the link is observed. */
  observer?: ExchangeObserver;
  /** Traces the exchanges that carry a traceparent, when tracing is on. */
  tracer?: { tracer: LinkTracer; link: string };
  /** The upstream in memory when it is a server of this process; undefined: TCP. */
  dial?(host: string, port: number): LinkEnd | undefined;
  /** Called once when both sockets are gone. */
  closed(connection: LinkConnection): void;
}

export class LinkConnection {
  readonly #client: net.Socket | LinkEnd;
  readonly #server: net.Socket | LinkEnd;
  readonly #up: ToxicChain;
  readonly #down: ToxicChain;
  readonly #env: ConnectionEnv;
  #boundary: HttpRequestBoundary | undefined;
  readonly #meter: HttpExchangeMeter | undefined;
  readonly #tracing: ExchangeTracing | undefined;
  #finished = false;

  /**
   * `client`: an accepted TCP socket, or the link's end of an in-process connection (local-socket.ts).
   * `upstream.unix`: the instance's Unix socket for the same server (unix-socket.ts), dialled instead of TCP.
   */
  constructor(client: net.Socket | LinkEnd, upstream: LinkUpstream, toxics: ToxicView[], env: ConnectionEnv) {
    this.#env = env;
    this.#client = client;
    this.#server =
      env.dial?.(upstream.host, upstream.port) ??
      (upstream.unix !== undefined
        ? net.connect({ path: unixSocketPath(upstream.unix), allowHalfOpen: true })
        : net.connect({ host: upstream.host, port: upstream.port, allowHalfOpen: true, noDelay: true }));
    client.setNoDelay(true);
    const hooks = {
      resetConnection: () => this.reset(),
      closeConnection: () => this.destroy(),
      random: env.random,
      timers: env.timers,
    };
    const meter = env.observer ? new HttpExchangeMeter(env.observer) : undefined;
    this.#meter = meter;
    const tracing = env.tracer
      ? new ExchangeTracing(env.tracer.tracer, env.tracer.link, () => (this.#up.slots + this.#down.slots === 0 ? NO_TOXICS : [...this.#up.active(), ...this.#down.active()]))
      : undefined;
    this.#tracing = tracing;
    const delivered =
      meter && tracing
        ? (c: Buffer) => {
            meter.answer(c);
            tracing.answer(c);
          }
        : meter
          ? (c: Buffer) => meter.answer(c)
          : tracing
            ? (c: Buffer) => tracing.answer(c)
            : undefined;
    this.#up = new ToxicChain('upstream', client, this.#server, hooks);
    this.#down = new ToxicChain('downstream', this.#server, client, delivered ? { ...hooks, delivered } : hooks);
    for (const toxic of toxics) this.addToxic(toxic);

    client.on('data', (chunk: Buffer) => {
      env.countUp(chunk.length);
      meter?.request();
      // before the chunk enters the chain: the tracer may rewrite the traceparent's parent id in place
      tracing?.request(chunk);
      if (env.perRequest()) this.#splitRequests(chunk);
      else this.#up.write(chunk);
    });
    client.on('end', () => {
      meter?.callerLeft();
      this.#up.end();
    });
    let answered = false;
    this.#server.on('data', (chunk: Buffer) => {
      answered = true;
      env.countDown(chunk.length);
      this.#down.write(chunk);
    });
    this.#server.on('end', () => {
      // after an answer, the instance's FIN is an idle keep-alive close (HttpExchangeMeter.instanceLeft);
      // before any, it is one more way to refuse a connection, and the request on it still fails
      if (answered) {
        meter?.instanceLeft();
        tracing?.instanceLeft();
      }
      this.#down.end();
    });
    // A connect error: the instance is not listening (refused) or unreachable. A reset after answers is the
    // instance closing too (a server that closes an idle connection with a request unread in it resets it):
    // the meter tells such an idle close from a failure (HttpExchangeMeter.instanceLeft).
    if (meter) {
      this.#server.once('error', (e: NodeJS.ErrnoException) => {
        if (e.syscall === 'connect') meter.broken();
        else if (answered && e.code === 'ECONNRESET') meter.instanceLeft();
      });
    }
    if (tracing) {
      this.#server.once('error', (e: NodeJS.ErrnoException) => {
        if (e.syscall === 'connect') tracing.broken(`${upstream.host}:${upstream.port} refused the connection (${e.code ?? e.message})`);
      });
    }
    for (const socket of [client, this.#server]) {
      socket.on('error', () => this.destroy());
      socket.on('close', () => {
        if (this.#client.destroyed && this.#server.destroyed) this.#finish();
      });
    }
  }

  addToxic(toxic: ToxicView): void {
    (toxic.stream === 'upstream' ? this.#up : this.#down).add(toxic, this.#draw(toxic));
  }

  updateToxic(toxic: ToxicView): void {
    (toxic.stream === 'upstream' ? this.#up : this.#down).update(toxic, this.#draw(toxic));
  }

  removeToxic(toxic: ToxicView): void {
    (toxic.stream === 'upstream' ? this.#up : this.#down).remove(toxic.name);
  }

  /** Closes both sockets (FIN, unsent data dropped). */
  destroy(): void {
    this.#client.destroy();
    this.#server.destroy();
  }

  /** Destroys both sockets with a TCP RST. */
  reset(): void {
    this.#meter?.broken();
    this.#tracing?.broken('connection reset (TCP RST)');
    for (const socket of [this.#client, this.#server]) {
      try {
        socket.resetAndDestroy();
      } catch {
        socket.destroy();
      }
    }
  }

  #draw(toxic: ToxicView): boolean {
    const p = toxic.toxicity;
    return p >= 1 ? true : p <= 0 ? false : this.#env.random() < p;
  }

  #splitRequests(chunk: Buffer): void {
    if (this.#boundary?.off) return this.#up.write(chunk);
    this.#boundary ??= new HttpRequestBoundary();
    const starts = this.#boundary.feed(chunk);
    if (!starts) return this.#up.write(chunk);
    let from = 0;
    for (const start of starts) {
      if (start > from) this.#up.write(chunk.subarray(from, start));
      this.#up.redraw();
      this.#down.redraw();
      from = start;
    }
    this.#up.write(from === 0 ? chunk : chunk.subarray(from));
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#meter?.closed();
    this.#tracing?.closed();
    this.#up.close();
    this.#down.close();
    this.#env.closed(this);
  }
}
