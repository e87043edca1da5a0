/**
 * The go-micro v1 rpc server over the HTTP transport, JSON codec (micro-api.md §6.1).
 *
 *   POST <any path>  Micro-Service/Endpoint/Method (or X-Micro-*), Timeout(ns), Content-Type
 *     ──> route `Handler.Method` ──> handler(req, ctx) ──> 200 + JSON + `\n`
 *                                                      └─> 200, empty body, Micro-Error: <error>
 *   reply headers = request headers + Micro-Id/Service/Method/Endpoint(/Error), each also as X-Micro-*
 *   no Micro-* headers: legacy JSON-RPC envelope {"method","params":[..],"id"} -> {"id","result","error"}
 *
 * Extra exact-path routes (`route()`, e.g. the broker's /_sub) and a plain HTTP mode (`http` option, for
 * go-web style services) share the listener. In-flight requests are counted so stop() can drain them.
 * The caller owns the server: start() resolves once listening, stop() resolves once every socket is closed.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { MicroError } from './errors.ts';
import { boundedMemo } from './bounded-memo.ts';
import { goJsonLine } from './go-json.ts';
import { joinHostPort, splitHostPort } from './address.ts';
import { withTraceHeaders } from './trace-context.ts';
import { listenOnUnixSocket } from './unix-socket.ts';
import type { Endpoint, Value } from './types.ts';

export interface RequestContext {
  /** The Micro-Service the caller named (may differ from ours behind a proxy). */
  service: string;
  endpoint: string;
  /** Request headers with Go-canonical names (`Micro-Id`, `Content-Type`, ...): go-micro's context metadata. */
  metadata: Record<string, string>;
  /** Aborts at the caller's Timeout deadline or when the caller goes away. */
  signal: AbortSignal;
}

/** `Req` is whatever the JSON body decodes to; the handler is trusted to know its own request shape. */
export type Handler<Req = unknown> = (req: Req, ctx: RequestContext) => unknown;

export interface HandleOptions {
  request?: Value;
  response?: Value;
  /** Endpoint metadata registered with the endpoint (e.g. api `handler`, `path`, `method`). */
  endpointMetadata?: Record<string, string>;
}

export interface ServerOptions {
  /** host:port to bind (default 127.0.0.1:0). */
  address?: string;
  /** Plain HTTP mode: every request not matched by route() goes here instead of the mucp router. */
  http?: RequestListener;
  /**
   * Also serve on this Unix socket (`@name`: Linux abstract), bound before the TCP port: micro-dev's
   * MICRO_DEV_SERVER_SOCKET (unix-socket.ts). Same server, same requests; only the transport differs.
   */
  socket?: string;
}

/** Go's textproto.CanonicalMIMEHeaderKey for the common case: `micro-id` -> `Micro-Id`. */
export const canonical = boundedMemo((name: string): string =>
  name
    .split('-')
    .map((p) => (p ? p[0]!.toUpperCase() + p.slice(1).toLowerCase() : p))
    .join('-'),
);

const SKIP_COPY = ['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection'];
type MucpName = 'Micro-Id' | 'Micro-Service' | 'Micro-Method' | 'Micro-Endpoint';
const MICRO_REPLY: MucpName[] = ['Micro-Id', 'Micro-Service', 'Micro-Method', 'Micro-Endpoint'];
const X_NAMES: Record<MucpName, string> = { 'Micro-Id': 'X-Micro-Id', 'Micro-Service': 'X-Micro-Service', 'Micro-Method': 'X-Micro-Method', 'Micro-Endpoint': 'X-Micro-Endpoint' };
const X_MICRO_REPLY = MICRO_REPLY.map((k) => X_NAMES[k]);
/** Request headers (Go-canonical names) the reply does not echo: hop-by-hop ones, and the ones it sets itself. */
const NOT_ECHOED = new Set([...SKIP_COPY.map(canonical), ...MICRO_REPLY, ...X_MICRO_REPLY, 'Content-Type']);
const SUPPORTED = new Set(['application/json', 'application/json-rpc']);

export class Server {
  readonly #bind: { host: string; port: number };
  readonly #httpMode: RequestListener | undefined;
  readonly #handlers = new Map<string, Map<string, { fn: Handler; options: HandleOptions }>>();
  readonly #routes = new Map<string, RequestListener>();
  readonly #sockets = new Set<Socket>();
  readonly #http: HttpServer;
  readonly #socket: string | undefined;
  #unix: NetServer | undefined;
  #inFlight = 0;
  #drained: (() => void)[] = [];
  #address = '';

  constructor(options: ServerOptions = {}) {
    this.#bind = splitHostPort(options.address ?? '127.0.0.1:0');
    this.#httpMode = options.http;
    this.#socket = options.socket;
    this.#http = createServer({ keepAliveTimeout: 5_000 }, (req, res) => this.#onRequest(req, res));
    this.#http.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.once('close', () => this.#sockets.delete(s));
    });
  }

  /** Registers `Handler.Method`. Call before start() so the endpoint gets registered. */
  handle<Req = unknown>(endpoint: string, fn: Handler<Req>, options: HandleOptions = {}): this {
    const [svc, method, extra] = endpoint.split('.');
    if (!svc || !method || extra !== undefined) throw new RangeError(`endpoint "${endpoint}" must be Handler.Method`);
    let methods = this.#handlers.get(svc);
    if (!methods) this.#handlers.set(svc, (methods = new Map()));
    methods.set(method, { fn: fn as Handler, options });
    return this;
  }

  /** Serves an exact path with plain HTTP (before the mucp router). */
  route(path: string, listener: RequestListener): this {
    this.#routes.set(path, listener);
    return this;
  }

  endpoints(): Endpoint[] {
    const out: Endpoint[] = [];
    for (const [svc, methods] of this.#handlers) {
      for (const [method, { options }] of methods) {
        out.push({
          name: `${svc}.${method}`,
          ...(options.request ? { request: options.request } : {}),
          ...(options.response ? { response: options.response } : {}),
          metadata: options.endpointMetadata ?? {},
        });
      }
    }
    return out;
  }

  /** Bound address, host:port (after start()). */
  get address(): string {
    return this.#address;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  async start(): Promise<string> {
    // The socket first: whoever sees the TCP port bound may dial the socket already.
    if (this.#socket !== undefined) await this.#listenUnix(this.#socket);
    const where = joinHostPort(this.#bind.host, this.#bind.port);
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', (e: NodeJS.ErrnoException) => {
        this.#unix?.close();
        this.#unix = undefined;
        reject(new Error(`cannot listen on ${where}: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`, { cause: e }));
      });
      this.#http.listen(this.#bind.port, this.#bind.host, () => {
        this.#http.removeAllListeners('error');
        resolve();
      });
    });
    const a = this.#http.address() as AddressInfo;
    this.#address = joinHostPort(a.address, a.port);
    return this.#address;
  }

  /** Connections accepted on the socket are the HTTP server's like any other (keep-alive, drain, close). */
  async #listenUnix(name: string): Promise<void> {
    const unix = createNetServer({ noDelay: true }, (socket) => this.#http.emit('connection', socket));
    await listenOnUnixSocket(unix, name);
    this.#unix = unix;
  }

  /**
   * Stops accepting, waits up to graceMs for in-flight requests, then closes every connection.
   * Never rejects.
   */
  async stop(graceMs = 5_000): Promise<void> {
    const unix = this.#unix;
    this.#unix = undefined;
    const unixClosed = unix ? new Promise<void>((resolve) => unix.close(() => resolve())) : undefined;
    if (!this.#http.listening) {
      for (const s of this.#sockets) s.destroy();
      await unixClosed;
      return;
    }
    const closed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
    this.#http.closeIdleConnections();
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, graceMs);
        this.#drained.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    this.#http.closeAllConnections();
    for (const s of this.#sockets) s.destroy();
    await closed;
    await unixClosed;
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#inFlight++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.#inFlight--;
      if (this.#inFlight === 0) for (const f of this.#drained.splice(0)) f();
    };
    // res and req are this request's own: `on` where `once` would make a wrapper per listener per request
    res.on('close', finish);
    // Keep-alive sockets must not hold a stopping server open.
    if (!this.#http.listening) res.setHeader('Connection', 'close');
    const path = (req.url ?? '/').split('?')[0]!;
    const route = this.#routes.get(path) ?? this.#httpMode;
    try {
      if (route) {
        withTraceHeaders(req.headers, () => route(req, res));
        return;
      }
      void this.#serveMucp(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String((e as Error)?.message ?? e));
      });
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String((e as Error)?.message ?? e));
    }
  }

  async #serveMucp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const hdr: Record<string, string> = {};
    const headers = req.headers;
    for (const k in headers) {
      const v = headers[k];
      if (v !== undefined) hdr[canonical(k)] = Array.isArray(v) ? v.join(',') : v;
    }
    const get = (k: MucpName) => hdr[k] || hdr[X_NAMES[k]] || '';
    let ct = (hdr['Content-Type'] ?? '').split(';')[0]!.trim().toLowerCase() || 'application/protobuf';
    const legacy = !get('Micro-Service') && !get('Micro-Method') && !get('Micro-Endpoint');
    if (legacy && ct === 'application/json') ct = 'application/json-rpc';
    if (!SUPPORTED.has(ct)) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`Unsupported Content-Type: ${ct}`);
      return;
    }
    let endpoint = get('Micro-Endpoint') || get('Micro-Method');
    let body: unknown;
    let rpcId: unknown = null;
    let decodeError: string | undefined;
    try {
      const text = raw.toString('utf8').trim();
      const parsed: unknown = text === '' ? {} : JSON.parse(text);
      if (ct === 'application/json-rpc') {
        const env = (parsed ?? {}) as { method?: unknown; params?: unknown; id?: unknown };
        rpcId = env.id ?? null;
        if (!endpoint && typeof env.method === 'string') endpoint = env.method;
        body = Array.isArray(env.params) ? (env.params[0] ?? {}) : {};
      } else body = parsed;
    } catch (e) {
      decodeError = `error decoding request: ${(e as Error).message}`;
    }
    const ctx = new CallContext(get('Micro-Service'), endpoint, hdr, Number(hdr['Timeout'] ?? ''));
    res.on('close', () => ctx.close(!res.writableFinished));
    let result: unknown;
    let error: string | undefined = decodeError;
    if (!error) {
      try {
        const fn = this.#route(endpoint);
        result = await withTraceHeaders(req.headers, () => fn(body, ctx));
      } catch (e) {
        error = e instanceof MicroError ? e.toString() : String((e as Error)?.message ?? e);
      }
    }
    ctx.close(false);
    if (res.destroyed) return;
    let payload = '';
    if (ct === 'application/json-rpc') {
      payload = goJsonLine({ id: rpcId, result: error === undefined ? (result ?? null) : null, error: error ?? null });
    } else if (error === undefined) {
      payload = goJsonLine(result ?? null);
    }
    // The reply's head as name/value pairs (node:http writes an array as it is; an object costs a keyed
    // store per header, twice for each X- name built by concatenation): the request's headers, then ours.
    const out: string[] = [];
    for (const k in hdr) {
      if (NOT_ECHOED.has(k) || (error !== undefined && (k === 'Micro-Error' || k === 'X-Micro-Error'))) continue;
      out.push(k, hdr[k]!);
    }
    const micro = [get('Micro-Id'), get('Micro-Service'), get('Micro-Method') || endpoint, get('Micro-Endpoint') || endpoint];
    for (let i = 0; i < 4; i++) out.push(MICRO_REPLY[i]!, micro[i]!, X_MICRO_REPLY[i]!, micro[i]!);
    if (error !== undefined) {
      const safe = headerSafe(error);
      out.push('Micro-Error', safe, 'X-Micro-Error', safe);
    }
    if (payload) out.push('Content-Type', hdr['Content-Type'] ?? ct);
    out.push('Content-Length', String(Buffer.byteLength(payload)));
    res.writeHead(200, out);
    res.end(payload);
  }

  #route(endpoint: string): Handler {
    const parts = endpoint.split('.');
    if (parts.length !== 2) throw new Error(`rpc: service/endpoint request ill-formed: ${endpoint}`);
    const methods = this.#handlers.get(parts[0]!);
    if (!methods) throw new Error(`rpc: can't find service ${parts[0]}`);
    const h = methods.get(parts[1]!);
    if (!h) throw new Error(`rpc: can't find method ${parts[1]}`);
    return h.fn;
  }
}



/**
 * A handler's RequestContext. Its signal (an AbortController, and a timer for the caller's Timeout) is
 * made when the handler first reads it: most handlers never do (greeter-srv's), and every request in every
 * instance thread made them, read or not (a saving too small for the e2e bench to resolve). Read late, it
 * is what it would have been: already aborted when the deadline has passed or the caller has gone away.
 */
class CallContext implements RequestContext {
  readonly service: string;
  readonly endpoint: string;
  readonly metadata: Record<string, string>;
  /** performance.now() at the caller's deadline; undefined without a Timeout. */
  readonly #deadline: number | undefined;
  #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Why the call is over before its answer (the caller went away), once it is. */
  #canceled: Error | undefined;
  #closed = false;

  constructor(service: string, endpoint: string, metadata: Record<string, string>, timeoutNs: number) {
    this.service = service;
    this.endpoint = endpoint;
    this.metadata = metadata;
    this.#deadline = timeoutNs > 0 ? performance.now() + timeoutNs / 1e6 : undefined;
  }

  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    if (this.#canceled) controller.abort(this.#canceled);
    else if (this.#deadline !== undefined && !this.#closed) {
      const left = this.#deadline - performance.now();
      if (left <= 0) controller.abort(deadlineExceeded());
      else {
        this.#timer = setTimeout(() => controller.abort(deadlineExceeded()), left);
        this.#timer.unref();
      }
    }
    return controller.signal;
  }

  /** The call is over: answered (canceled false) or its caller went away first (canceled true). */
  close(canceled: boolean): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (canceled && !this.#canceled && !this.#controller?.signal.aborted) {
      this.#canceled = new Error('context canceled');
      this.#controller?.abort(this.#canceled);
    }
    this.#closed = true;
  }
}

const deadlineExceeded = (): Error => new Error('context deadline exceeded');

/** The whole request body ('data' events: cheaper per request than an async iterator); rejects if the caller goes away first. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

/** Header values are bytes: send UTF-8 as-is (Go would) without tripping Node's header validation. */
function headerSafe(s: string): string {
  return Buffer.from(s.replace(/[\r\n]+/g, ' '), 'utf8').toString('latin1');
}

