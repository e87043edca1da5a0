/**
 * HttpPool: the kit's HTTP client. Buffered request/response over `node:http` with keep-alive
 * connections, a connect timeout and an AbortSignal: what the kit's client, registry clients and broker
 * publisher need, and nothing more.
 *
 * Why not undici (which the kit used before): every instance thread that loaded it paid ~16 MB of RSS for
 * its code, while `node:http` is already loaded by the instance's own server (issue 13: idle memory of the
 * default topology). The bare chain the data-plane bench compares us with uses `node:http` too.
 *
 *   request({origin, path, method, headers, body, signal})
 *     -> { statusCode, statusText, headers (lower-case names), body: Buffer }
 *   errors: the socket's own (`code` ECONNREFUSED, ECONNRESET...), ETIMEDOUT when the connection is not
 *   made within connectTimeoutMs, the signal's reason when it aborts, and one with `deadlineExceeded` past
 *   timeoutMs. An ECONNRESET (a reset, or
 *   "socket hang up") on a fresh connection before any answer carries `closedUnanswered: true`.
 *
 * A pooled connection the server closed while it sat idle (its FIN not yet read, or crossing our request)
 * fails the request with ECONNRESET before any answer: that request is sent again on a fresh connection
 * (Node's documented `reusedSocket` pattern), up to MAX_STALE times, so a stopped server reads as refused and
 * a server's idle close never reads as a failed call. An error after an answer began is never retried.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { boundedMemo } from './bounded-memo.ts';

export interface PoolRequest {
  /** `http://host:port` */
  origin: string;
  path: string;
  method: string;
  /**
   * An object, or name/value pairs (`['Accept', 'application/json', ...]`, each name once): node:http writes
   * pairs as they are, where an object costs a setHeader per header; the pool adds Host and Content-Length.
   */
  headers?: OutgoingHttpHeaders | string[];
  body?: string | Buffer;
  signal?: AbortSignal;
  /**
   * The whole exchange's deadline in ms, over every stale-connection retry: past it the request is
   * destroyed and fails with an error carrying `deadlineExceeded: true`. One timer of the pool's instead of
   * an AbortController and timer per call (the kit client's hot path, issue 13).
   */
  timeoutMs?: number;
}

export interface PoolResponse {
  statusCode: number;
  statusText: string;
  /** Built on first read (node:http's own lazy record): a caller that never reads it does not pay for it. */
  readonly headers: IncomingHttpHeaders;
  /** The head as received, names in their own case: `[name, value, ...]`. */
  readonly rawHeaders: readonly string[];
  body: Buffer;
}

/** A response whose header record is node:http's, made only when read (the kit client's calls seldom do). */
class PooledResponse implements PoolResponse {
  readonly statusCode: number;
  readonly statusText: string;
  readonly body: Buffer;
  readonly #message: IncomingMessage;

  constructor(message: IncomingMessage, body: Buffer) {
    this.statusCode = message.statusCode ?? 0;
    this.statusText = message.statusMessage ?? '';
    this.body = body;
    this.#message = message;
  }

  get headers(): IncomingHttpHeaders {
    return this.#message.headers;
  }

  get rawHeaders(): readonly string[] {
    return this.#message.rawHeaders;
  }
}

export interface HttpPoolOptions {
  /** An idle pooled connection is closed after this long (below the servers' own keep-alive timeout). */
  keepAliveMs: number;
  connectTimeoutMs: number;
  /**
   * Opens a connection to host:port some other way than TCP (micro-dev's gateway and proxy reach the
   * fault-plane links in their own process in memory); undefined: a TCP connection as usual. The stream
   * must carry what node:http's Agent asks of a socket (setKeepAlive, setNoDelay, setTimeout, ref, unref).
   */
  connect?: (host: string, port: number) => Duplex | undefined;
}

/** `http://host:port` as the connection's host and port and the Host header's value, remembered. */
const parseOrigin = boundedMemo((origin: string): { host: string; port: number; authority: string } => {
  const url = new URL(origin);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), authority: url.host };
});

/**
 * node:http's Agent, reading the server's keep-alive hint from the answer's head as received. Node's own
 * keepSocketAlive reads `res.headers['keep-alive']`, which builds the answer's whole header record (15-20
 * headers on a go-micro answer) for one value: on micro-dev's main thread that was 8-9 µs a gateway request,
 * for records nothing else read (issue 13). Same rule as node's own in 24.7+ and 22.20+ (checked against it in
 * http-pool.test.ts), applied on every Node: the first `Keep-Alive` header's `timeout=N` less the Agent's
 * `agentKeepAliveTimeoutBuffer` (1000 ms by default) caps the pooled connection's idle timeout, and a hint no
 * longer than the buffer means the connection is not kept.
 */
export class PoolAgent extends Agent {
  override keepSocketAlive(socket: Duplex): boolean {
    const res = (socket as { _httpMessage?: { res?: IncomingMessage | null } })._httpMessage?.res;
    if (!res) return super.keepSocketAlive(socket) as unknown as boolean;
    const net = socket as Socket;
    net.setKeepAlive(true, (this as { keepAliveMsecs?: number }).keepAliveMsecs);
    net.unref();
    const options = (this as unknown as { options: { timeout?: number; agentKeepAliveTimeoutBuffer?: number } }).options;
    let agentTimeout = options.timeout || 0;
    let keep = true;
    const raw = res.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      if (name.length !== 10 || name.toLowerCase() !== 'keep-alive') continue;
      const hint = /^timeout=(\d+)/.exec(raw[i + 1]!)?.[1];
      if (hint) {
        const buffer = (this as { agentKeepAliveTimeoutBuffer?: number }).agentKeepAliveTimeoutBuffer ?? options.agentKeepAliveTimeoutBuffer ?? 1000;
        const serverHint = Number.parseInt(hint, 10) * 1000 - buffer;
        if (serverHint <= 0) keep = false;
        else if (serverHint < agentTimeout) agentTimeout = serverHint;
      }
      break;
    }
    if (net.timeout !== agentTimeout) net.setTimeout(agentTimeout);
    return keep;
  }
}

/** How many pooled connections found closed one request may go through before it fails. */
const MAX_STALE = 3;

export class HttpPool {
  readonly #agent: Agent;
  readonly #connectTimeoutMs: number;
  #closed = false;

  constructor(options: HttpPoolOptions) {
    // `timeout` on a keep-alive agent closes a socket that sits idle in the pool that long; on a socket
    // in use it only emits 'timeout', which nothing here acts on (a call's deadline is its signal).
    this.#agent = new PoolAgent({ keepAlive: true, timeout: options.keepAliveMs, scheduling: 'lifo' });
    const connect = options.connect;
    if (connect) {
      const tcp = this.#agent.createConnection.bind(this.#agent);
      this.#agent.createConnection = (o, callback) => connect(String(o.host), Number(o.port)) ?? tcp(o, callback);
    }
    this.#connectTimeoutMs = options.connectTimeoutMs;
  }

  async request(r: PoolRequest): Promise<PoolResponse> {
    const deadline = r.timeoutMs === undefined ? undefined : performance.now() + r.timeoutMs;
    for (let stale = 0; ; stale++) {
      try {
        return await this.#send(r, deadline);
      } catch (error) {
        if (stale >= MAX_STALE || !(error as { staleConnection?: boolean }).staleConnection) throw error;
      }
    }
  }

  #send(r: PoolRequest, deadline: number | undefined): Promise<PoolResponse> {
    if (this.#closed) return Promise.reject(Object.assign(new Error('client closed'), { code: 'ERR_CLIENT_CLOSED' }));
    const signal = r.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const { host, port, authority } = parseOrigin(r.origin);
    const headers = Array.isArray(r.headers)
      ? r.headers.concat(r.body === undefined ? ['Host', authority] : ['Host', authority, 'Content-Length', String(Buffer.byteLength(r.body))])
      : r.headers;
    return new Promise<PoolResponse>((resolve, reject) => {
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      let deadlineTimer: NodeJS.Timeout | undefined;
      const finish = (error: unknown, response?: PoolResponse) => {
        if (settled) return;
        settled = true;
        if (connectTimer) clearTimeout(connectTimer);
        if (deadlineTimer) clearTimeout(deadlineTimer);
        signal?.removeEventListener('abort', onAbort);
        if (response) resolve(response);
        else reject(error);
      };
      const req = httpRequest({
        agent: this.#agent,
        host,
        port,
        path: r.path,
        method: r.method,
        headers,
      });
      const onAbort = () => {
        finish(signal!.reason);
        req.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (deadline !== undefined) {
        deadlineTimer = setTimeout(() => {
          const error = Object.assign(new Error(`no answer within ${r.timeoutMs} ms`), { code: 'ETIMEDOUT', deadlineExceeded: true });
          finish(error);
          // a plain destroy, as an abort does: with req.destroy(error) instead, a partitioned link no longer
          // counted the abandoned call as an error (test/engine/instance-traffic.test.ts; cause not found)
          req.destroy();
        }, Math.max(1, deadline - performance.now()));
      }
      // req and res are this request's own: `on` where `once` would make a wrapper per listener per request
      req.on('socket', (socket: Socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => {
          const error = Object.assign(new Error(`connect timeout after ${this.#connectTimeoutMs}ms`), { code: 'ETIMEDOUT' });
          finish(error);
          req.destroy(error);
        }, this.#connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      let answered = false;
      req.on('error', (e: NodeJS.ErrnoException) => {
        // Closed or reset before any answer. A pooled connection: the server had closed it while it sat
        // idle, send the request afresh. A connection of its own: what a client sees of a dead server behind
        // a proxy (a fault-plane link, Toxiproxy) that accepts and then cannot reach it.
        if (!answered && e.code === 'ECONNRESET') Object.assign(e, req.reusedSocket ? { staleConnection: true } : { closedUnanswered: true });
        finish(e);
      });
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => finish(e));
        res.on('aborted', () => finish(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
        res.on('end', () => finish(undefined, new PooledResponse(res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))));
      });
      req.end(r.body);
    });
  }

  /** Closes pooled connections and aborts requests in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#agent.destroy();
  }
}
