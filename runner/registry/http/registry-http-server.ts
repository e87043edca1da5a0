import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ConsulHttpError } from '../consul-http-error.ts';
import type { Reply } from './request-context.ts';
import { RequestContext } from './request-context.ts';
import type { RouteTable } from './route-table.ts';

export interface HttpServerOptions {
  table: RouteTable;
  /** When set, every request except /v1/status/* must carry it (?token=, X-Consul-Token, Bearer). */
  token?: string;
  /**
   * When set (registry.persist), awaited after every handler and before its answer is written: resolves once
   * the changes the request made are on disk. A rejection turns the answer into a 500.
   */
  durable?: () => Promise<void>;
}

const NOT_FOUND = 'Invalid URL path: not a recognized HTTP API endpoint\n';

/**
 * The registry's HTTP front: token check, routing, 405/404, Consul's error texts and query-meta headers.
 * Any unexpected exception becomes a 500 with its message; the process never crashes on a request.
 *
 *   request -> RequestContext (decode path) -> token -> RouteTable -> handler -> Reply -> headers + body
 */
export function createRegistryHttpServer(opts: HttpServerOptions): Server {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((e) => {
      if (!res.headersSent) writeError(res, new ConsulHttpError(500, String((e as Error)?.message ?? e)));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: HttpServerOptions): Promise<void> {
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('X-Consul-Default-Acl-Policy', opts.token ? 'deny' : 'allow');
  let ctx: RequestContext;
  try {
    ctx = new RequestContext(req, res);
  } catch (e) {
    req.resume();
    return writeError(res, e);
  }
  try {
    if (opts.token && !ctx.path.startsWith('/v1/status/') && tokenOf(ctx) !== opts.token) {
      throw new ConsulHttpError(403, 'Permission denied');
    }
    const m = opts.table.match(ctx.path);
    if (!m) throw new ConsulHttpError(404, NOT_FOUND);
    ctx.param = m.param;
    const allow = ['OPTIONS', ...Object.keys(m.route.methods)].join(',');
    if (ctx.method === 'OPTIONS') {
      req.resume();
      res.writeHead(200, { Allow: allow, 'Content-Length': '0' });
      res.end();
      return;
    }
    const handler = m.route.methods[ctx.method];
    if (!handler) throw new ConsulHttpError(405, `method ${ctx.method} not allowed`, { Allow: allow });
    const reply = await handler(ctx);
    req.resume();
    await opts.durable?.().catch((e: Error) => {
      throw new ConsulHttpError(500, `micro-dev: the change was applied but could not be persisted: ${e.message}`);
    });
    writeReply(res, reply);
  } catch (e) {
    req.resume();
    // A handler that failed half-way may still have changed something: that too is on disk before we answer.
    await opts.durable?.().catch(() => undefined);
    writeError(res, e);
  }
}

function tokenOf(ctx: RequestContext): string | undefined {
  const q = ctx.query.get('token');
  if (q) return q;
  const h = ctx.header('x-consul-token');
  if (h) return h;
  const auth = ctx.header('authorization');
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return undefined;
}

function writeReply(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.index !== undefined) {
    headers['X-Consul-Index'] = String(Math.max(1, reply.index));
    headers['X-Consul-Knownleader'] = 'true';
    headers['X-Consul-Lastcontact'] = '0';
    headers['X-Consul-Query-Backend'] = 'blocking-query';
  }
  let body: Buffer | string;
  if (reply.raw) {
    body = reply.raw;
    headers['Content-Type'] = reply.contentType ?? 'application/octet-stream';
  } else if (reply.text !== undefined) {
    body = reply.text;
    if (reply.contentType) headers['Content-Type'] = reply.contentType;
    else if (reply.text !== '') headers['Content-Type'] = 'text/plain; charset=utf-8';
  } else {
    body = JSON.stringify(reply.json);
    headers['Content-Type'] = 'application/json';
  }
  headers['Content-Length'] = String(Buffer.byteLength(body));
  res.writeHead(reply.status ?? 200, headers);
  res.end(body);
}

function writeError(res: ServerResponse, e: unknown): void {
  if (res.destroyed) return;
  const err = e instanceof ConsulHttpError ? e : new ConsulHttpError(500, String((e as Error)?.message ?? e));
  const body = err.reason;
  res.writeHead(err.statusCode, {
    ...err.headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
