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
import type { AddressInfo, Socket } from 'node:net';
import { MicroError } from './errors.ts';
import { goJsonLine } from './go-json.ts';
import { joinHostPort, splitHostPort } from './address.ts';
import { withTraceHeaders } from './trace-context.ts';
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
}

const SKIP_COPY = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection']);
const SUPPORTED = new Set(['application/json', 'application/json-rpc']);

export class Server {
  readonly #bind: { host: string; port: number };
  readonly #httpMode: RequestListener | undefined;
  readonly #handlers = new Map<string, Map<string, { fn: Handler; options: HandleOptions }>>();
  readonly #routes = new Map<string, RequestListener>();
  readonly #sockets = new Set<Socket>();
  readonly #http: HttpServer;
  #inFlight = 0;
  #drained: (() => void)[] = [];
  #address = '';

  constructor(options: ServerOptions = {}) {
    this.#bind = splitHostPort(options.address ?? '127.0.0.1:0');
    this.#httpMode = options.http;
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
    const where = joinHostPort(this.#bind.host, this.#bind.port);
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', (e: NodeJS.ErrnoException) =>
        reject(new Error(`cannot listen on ${where}: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`, { cause: e })),
      );
      this.#http.listen(this.#bind.port, this.#bind.host, () => {
        this.#http.removeAllListeners('error');
        resolve();
      });
    });
    const a = this.#http.address() as AddressInfo;
    this.#address = joinHostPort(a.address, a.port);
    return this.#address;
  }

  /**
   * Stops accepting, waits up to graceMs for in-flight requests, then closes every connection.
   * Never rejects.
   */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.#http.listening) {
      for (const s of this.#sockets) s.destroy();
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
    res.once('close', finish);
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
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const hdr: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) hdr[canonical(k)] = Array.isArray(v) ? v.join(',') : v;
    }
    const get = (k: string) => hdr[k] || hdr['X-' + k] || '';
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
    const timeoutNs = Number(hdr['Timeout'] ?? '');
    const ac = new AbortController();
    const timer = timeoutNs > 0 ? setTimeout(() => ac.abort(new Error('context deadline exceeded')), timeoutNs / 1e6) : undefined;
    timer?.unref();
    res.once('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) ac.abort(new Error('context canceled'));
    });
    let result: unknown;
    let error: string | undefined = decodeError;
    if (!error) {
      try {
        const fn = this.#route(endpoint);
        result = await withTraceHeaders(req.headers, () => fn(body, { service: get('Micro-Service'), endpoint, metadata: hdr, signal: ac.signal }));
      } catch (e) {
        error = e instanceof MicroError ? e.toString() : String((e as Error)?.message ?? e);
      }
    }
    clearTimeout(timer);
    if (res.destroyed) return;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(hdr)) if (!SKIP_COPY.has(k.toLowerCase())) out[k] = v;
    const micro: Record<string, string> = {
      'Micro-Id': get('Micro-Id'),
      'Micro-Service': get('Micro-Service'),
      'Micro-Method': get('Micro-Method') || endpoint,
      'Micro-Endpoint': get('Micro-Endpoint') || endpoint,
    };
    if (error !== undefined) micro['Micro-Error'] = headerSafe(error);
    for (const [k, v] of Object.entries(micro)) {
      out[k] = v;
      out['X-' + k] = v;
    }
    let payload = '';
    if (ct === 'application/json-rpc') {
      payload = goJsonLine({ id: rpcId, result: error === undefined ? (result ?? null) : null, error: error ?? null });
    } else if (error === undefined) {
      payload = goJsonLine(result ?? null);
    }
    if (payload) out['Content-Type'] = hdr['Content-Type'] ?? ct;
    else delete out['Content-Type'];
    out['Content-Length'] = String(Buffer.byteLength(payload));
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

/** Go's textproto.CanonicalMIMEHeaderKey for the common case: `micro-id` -> `Micro-Id`. */
export function canonical(name: string): string {
  return name
    .split('-')
    .map((p) => (p ? p[0]!.toUpperCase() + p.slice(1).toLowerCase() : p))
    .join('-');
}

/** Header values are bytes: send UTF-8 as-is (Go would) without tripping Node's header validation. */
function headerSafe(s: string): string {
  return Buffer.from(s.replace(/[\r\n]+/g, ' '), 'utf8').toString('latin1');
}

