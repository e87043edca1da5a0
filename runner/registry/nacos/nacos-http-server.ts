/**
 * The Nacos face's HTTP server: naming v1 under `/nacos/v1/ns/`. Parameters come from the query string
 * (nacos-naming puts everything there, even on POST/PUT/DELETE) and from a form body, merged. Answers are
 * 200 `ok` / JSON; errors are a status with a plain-text message (`Param 'ip' is required.`), never a crash.
 *
 *   /instance        POST register, DELETE deregister, PUT update, PATCH partial update, GET detail
 *   /instance/list   GET        /instance/beat  PUT        /service  POST, PUT, DELETE, GET
 *   /service/list    GET        /operator/metrics  GET     /nacos/v1/auth/[users/]login  POST (any user)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { NacosFace } from './nacos-face.ts';
import { NacosError, NacosParams } from './nacos-params.ts';

const MAX_BODY = 1 << 20;
const BASE = '/nacos/v1/ns/';

type Handler = (p: NacosParams, peer: string) => string | Record<string, unknown>;

/** Nacos 3's compatibility filter: with `nacos.core.api.compatibility.admin.enabled=false` these answer 410. */
const ADMIN_API = new Set(['PUT instance', 'PATCH instance', 'POST service', 'PUT service', 'GET service']);

export function createNacosHttpServer(face: NacosFace, options: { adminApi?: boolean } = {}): Server {
  const adminApi = options.adminApi ?? true;
  const routes: Record<string, Record<string, Handler>> = {
    instance: {
      POST: (p) => face.register(p),
      DELETE: (p) => face.deregister(p),
      PUT: (p) => face.update(p, false),
      PATCH: (p) => face.update(p, true),
      GET: (p) => face.detail(p),
    },
    'instance/list': { GET: (p, peer) => face.list(p, peer) },
    'instance/beat': { PUT: (p) => face.beat(p) },
    service: {
      POST: (p) => face.createService(p),
      PUT: (p) => face.updateService(p),
      DELETE: (p) => face.deleteService(p),
      GET: (p) => face.getService(p),
    },
    'service/list': { GET: (p) => face.serviceList(p) },
    'operator/metrics': { GET: () => ({ status: 'UP' }) },
  };
  const server = createServer((req, res) => {
    handle(routes, adminApi, req, res).catch((e) => send(res, 500, String((e as Error)?.message ?? e)));
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

async function handle(routes: Record<string, Record<string, Handler>>, adminApi: boolean, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (body === undefined) return send(res, 413, `Request body larger than ${MAX_BODY} bytes`);
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://nacos');
  } catch {
    return send(res, 400, 'Malformed request URL');
  }
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '/nacos/v1/auth/login' || path === '/nacos/v1/auth/users/login') {
    if (method !== 'POST') return send(res, 405, `Request method '${method}' not supported`);
    return send(res, 200, { accessToken: 'micro-dev', tokenTtl: 18000, globalAdmin: true });
  }
  if (!path.startsWith(BASE)) return send(res, 404, `No endpoint ${method} ${url.pathname} (the Nacos face serves ${BASE})`);
  const table = routes[path.slice(BASE.length)];
  if (!table) return send(res, 404, `No endpoint ${method} ${url.pathname}`);
  const route = path.slice(BASE.length);
  if (!adminApi && ADMIN_API.has(`${method} ${route}`)) {
    return send(res, 410, { code: 410, message: `Current API ${method} ${url.pathname} is an admin API, disabled by nacos.core.api.compatibility.admin.enabled`, data: null });
  }
  const handler = table[method];
  if (!handler) return send(res, 405, `Request method '${method}' not supported (allowed: ${Object.keys(table).join(', ')})`);
  const params = new URLSearchParams(url.search);
  const type = String(req.headers['content-type'] ?? '');
  if (body && type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body)) if (!params.has(k)) params.set(k, v);
  }
  try {
    send(res, 200, handler(new NacosParams(params), req.socket.remoteAddress ?? '127.0.0.1'));
  } catch (e) {
    if (e instanceof NacosError) return send(res, e.statusCode, e.message);
    throw e;
  }
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string | Record<string, unknown>): void {
  if (res.headersSent || res.destroyed) return;
  const json = typeof body !== 'string';
  const payload = Buffer.from(json ? JSON.stringify(body) : body);
  res.writeHead(status, {
    'Content-Type': json ? 'application/json;charset=UTF-8' : 'text/plain;charset=UTF-8',
    'Content-Length': String(payload.length),
  });
  res.end(payload);
}
