/**
 * Link: a TCP proxy on one local port to one upstream `host:port`, with a toxic list shared by all of its
 * connections (upstream stream = client -> server, downstream = server -> client). On Linux it may also
 * listen on a Unix socket, and dial its upstream's (README.md, "Unix sockets to instances").
 *
 *   client --> listen 127.0.0.1:P --> LinkConnection (chains per direction) --> upstream host:port
 *                                      ^ toxics added/removed on every live connection, synchronously
 *
 * The upstream can change at runtime (new connections use it; live ones keep theirs). When it is not known
 * yet, create the link with `127.0.0.1:0`: clients are accepted and closed at once until setUpstream. Disabling a link
 * closes its listener (new connections are refused) and its live connections, as Toxiproxy's enabled=false;
 * enabling listens again on the same port. Toxics are changed through FaultPlane, which owns durations.
 */
import net from 'node:net';
import { SystemClock } from '../clock/clock.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import type { ExchangeObserver } from './http-exchange-meter.ts';
import { LinkConnection, type LinkUpstream } from './link-connection.ts';
import { listenOnUnixSocket } from '../../services/kit/unix-socket.ts';
import { localSocketPair, type HttpEnd, type LinkEnd } from './local-socket.ts';
import type { LinkTracer } from './link-tracer.ts';
import type { ToxicView } from './toxic-catalogue.ts';

export interface LinkOptions {
  name: string;
  /** host:port; may be changed later with setUpstream. */
  upstream: string;
  /** Default 127.0.0.1 port 0 (a free port). */
  listen?: { host: string; port: number };
  /**
   * Also listen on this Unix socket (`@name`: Linux abstract), for callers told of it (MICRO_DEV_SOCKETS,
   * services/kit/unix-socket.ts): same link, same toxics; enabled and disabled with the port.
   */
  unix?: string;
}

export interface LinkStats {
  /** Connections open now. */
  connections: number;
  /** Connections accepted since the link was created. */
  accepted: number;
  /** Bytes read from clients (client -> server). */
  bytesUp: number;
  /** Bytes read from the upstream (server -> client). */
  bytesDown: number;
}

export interface LinkEnv {
  random(): number;
  /** An upstream connection in memory when host:port is a server of this process (FaultPlane.serveInProcess); undefined: TCP. */
  dial?(host: string, port: number): LinkEnd | undefined;
  /** Traces exchanges that carry a traceparent (a span per link crossed); none when tracing is off. */
  tracer?: LinkTracer;
}

const realTime = new SystemClock();

/** Parses `host:port` (IPv6 as `[::1]:80`); throws a MicroDevError naming the bad address. */
export function parseAddress(address: string, what: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new MicroDevError('BAD_ARGUMENTS', `${what} address ${JSON.stringify(address)} is not host:port (port 0-65535)`);
  }
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

export class Link {
  readonly name: string;
  readonly #env: LinkEnv;
  #host: string;
  #port: number;
  #upstream: LinkUpstream;
  #upstreamText: string;
  readonly #unixName: string | undefined;
  #enabled = false;
  #server: net.Server | undefined;
  #unixServer: net.Server | undefined;
  #connections = new Set<LinkConnection>();
  #toxics: ToxicView[] = [];
  #perRequest = false;
  #observer: ExchangeObserver | undefined;
  #stats = { accepted: 0, bytesUp: 0, bytesDown: 0 };

  /** Creates and starts listening; resolves once the port is bound. */
  static async open(options: LinkOptions, env: LinkEnv): Promise<Link> {
    const link = new Link(options, env);
    await link.setEnabled(true);
    return link;
  }

  private constructor(options: LinkOptions, env: LinkEnv) {
    this.name = options.name;
    this.#env = env;
    this.#host = options.listen?.host ?? '127.0.0.1';
    this.#port = options.listen?.port ?? 0;
    this.#upstream = parseAddress(options.upstream, `upstream of link ${options.name}`);
    this.#upstreamText = options.upstream;
    this.#unixName = options.unix;
  }

  /** The Unix socket this link also listens on, if any. */
  get unix(): string | undefined {
    return this.#unixName;
  }

  /** The Unix socket new connections dial instead of the upstream's port, if any (setUpstream). */
  get upstreamUnix(): string | undefined {
    return this.#upstream.unix;
  }

  /** host:port actually bound (the real port once listening, even if 0 was asked for). */
  get listen(): string {
    return this.#host.includes(':') ? `[${this.#host}]:${this.#port}` : `${this.#host}:${this.#port}`;
  }

  /** The address bound (127.0.0.1 unless the link was told to listen elsewhere). */
  get host(): string {
    return this.#host;
  }

  get port(): number {
    return this.#port;
  }

  get upstream(): string {
    return this.#upstreamText;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /**
   * New connections go to `address`; live connections keep their upstream. `unix`: the same server also
   * listens on this Unix socket, which new connections dial instead (the upstream still reads `address`).
   */
  setUpstream(address: string, unix?: string): void {
    const upstream: LinkUpstream = parseAddress(address, `upstream of link ${this.name}`);
    if (unix !== undefined) upstream.unix = unix;
    this.#upstream = upstream;
    this.#upstreamText = address;
  }

  /** Moves the listener (drops live connections, as Toxiproxy does on a listen change). */
  async setListen(host: string, port: number): Promise<void> {
    const wasEnabled = this.#enabled;
    await this.setEnabled(false);
    this.#host = host;
    this.#port = port;
    if (wasEnabled) await this.setEnabled(true);
  }

  /**
   * false: stop accepting (clients get ECONNREFUSED) and close live connections. true: listen again on the
   * same port. Resolves when done; rejects with PORT_IN_USE if the port was taken meanwhile.
   */
  async setEnabled(enabled: boolean): Promise<void> {
    if (enabled === this.#enabled) return;
    this.#enabled = enabled;
    if (!enabled) {
      const server = this.#server;
      const unix = this.#unixServer;
      this.#server = undefined;
      this.#unixServer = undefined;
      this.closeConnections();
      await Promise.all([server, unix].map((s) => s && new Promise<void>((resolve) => s.close(() => resolve()))));
      return;
    }
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.#accept(socket));
    this.#server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: this.#host, port: this.#port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (cause) {
      this.#enabled = false;
      this.#server = undefined;
      const code = (cause as NodeJS.ErrnoException).code;
      throw new MicroDevError(
        code === 'EADDRINUSE' ? 'PORT_IN_USE' : 'START_FAILED',
        `link ${this.name} cannot listen on ${this.listen}: ${(cause as Error).message}`,
        { cause },
      );
    }
    // A listener error after bind (e.g. EMFILE on accept) must not crash the orchestrator.
    server.on('error', () => {});
    const bound = server.address() as net.AddressInfo;
    // Report what the OS bound (localhost -> 127.0.0.1), as Toxiproxy does.
    this.#host = bound.address;
    this.#port = bound.port;
    if (this.#unixName !== undefined) await this.#listenUnix(this.#unixName);
  }

  async #listenUnix(name: string): Promise<void> {
    const unix = net.createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
    this.#unixServer = unix;
    try {
      await listenOnUnixSocket(unix, name);
    } catch (cause) {
      await this.setEnabled(false);
      throw new MicroDevError('START_FAILED', `link ${this.name}: ${(cause as Error).message}`, { cause });
    }
  }

  /** Toxics on this link: upstream stream first, then downstream, each in the order added. */
  toxics(): ToxicView[] {
    return [...this.#toxics.filter((t) => t.stream === 'upstream'), ...this.#toxics.filter((t) => t.stream === 'downstream')].map(
      (t) => ({ ...t, attributes: { ...t.attributes } }),
    );
  }

  /**
   * Times every HTTP/1.x exchange of the connections accepted from now on (HttpExchangeMeter) and reports
   * it to `observer`; undefined stops measuring new connections. The engine observes inbound links.
   */
  observe(observer: ExchangeObserver | undefined): void {
    this.#observer = observer;
  }

  stats(): LinkStats {
    return { connections: this.#connections.size, ...this.#stats };
  }

  /** Applies to every live connection before it returns. Use FaultPlane.addToxic (it checks the name). */
  addToxic(toxic: ToxicView): void {
    this.#toxics.push(toxic);
    this.#refreshPerRequest();
    for (const connection of this.#connections) connection.addToxic(toxic);
  }

  /** Replaces the toxic with the same name (same stream and position) on every live connection. */
  updateToxic(toxic: ToxicView): void {
    const index = this.#toxics.findIndex((t) => t.name === toxic.name);
    if (index < 0) return;
    this.#toxics[index] = toxic;
    this.#refreshPerRequest();
    for (const connection of this.#connections) connection.updateToxic(toxic);
  }

  /** Removes from every live connection (held bytes are handed on). Returns the removed toxic. */
  removeToxic(name: string): ToxicView | undefined {
    const toxic = this.#toxics.find((t) => t.name === name);
    if (!toxic) return undefined;
    this.#toxics = this.#toxics.filter((t) => t !== toxic);
    this.#refreshPerRequest();
    for (const connection of this.#connections) connection.removeToxic(toxic);
    return toxic;
  }

  /**
   * A connection into this link from our own process (local-socket.ts): the HTTP end of an in-memory
   * pair, whose other end this link accepts like a TCP client (same toxics, meter, spans and stats).
   * undefined while the link is disabled: the caller connects over TCP and is refused, as any client.
   */
  openLocal(): HttpEnd | undefined {
    if (!this.#enabled || !this.#server) return undefined;
    const { http, link } = localSocketPair();
    this.#accept(link);
    return http;
  }

  closeConnections(): void {
    for (const connection of this.#connections) connection.destroy();
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    await this.setEnabled(false);
  }

  #refreshPerRequest(): void {
    this.#perRequest = this.#toxics.some((t) => t.toxicity > 0 && t.toxicity < 1);
  }

  #accept(socket: net.Socket | LinkEnd): void {
    this.#stats.accepted++;
    const stats = this.#stats;
    const connection = new LinkConnection(socket, this.#upstream, this.#toxics, {
      timers: realTime,
      random: this.#env.random,
      perRequest: () => this.#perRequest,
      countUp: (n) => void (stats.bytesUp += n),
      countDown: (n) => void (stats.bytesDown += n),
      ...(this.#observer ? { observer: this.#observer } : {}),
      ...(this.#env.tracer ? { tracer: { tracer: this.#env.tracer, link: this.name } } : {}),
      ...(this.#env.dial ? { dial: this.#env.dial } : {}),
      closed: (c) => this.#connections.delete(c),
    });
    this.#connections.add(connection);
  }
}
