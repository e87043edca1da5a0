/**
 * The Eureka face's HTTP server: Eureka's REST routes under `/eureka/` (Spring Cloud) and `/eureka/v2/`
 * (Netflix), JSON when `Accept` contains "json" and XML otherwise, gzip when asked, Eureka's status codes.
 *
 *   /apps[/]                 GET full registry          /apps/delta        GET changes (3 min)
 *   /apps/{APP}              POST register, GET app     /apps/{APP}/{id}   PUT renew, DELETE cancel, GET
 *   /apps/{APP}/{id}/status  PUT / DELETE override      /apps/{APP}/{id}/metadata  PUT
 *   /instances/{id}  /vips/{vip}  /svips/{svip}         GET
 *   /peerreplication/batch/  POST (from a peer, `registry.peers` > 1: peers/eureka-peer.ts)
 *
 * A request never crashes the server: an unexpected error is a 500 with its message.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { EurekaBadRequest } from './eureka-instance.ts';
import type { EurekaFace, FaceReply } from './eureka-face.ts';
import { toXml } from './eureka-render.ts';

const PREFIXES = ['/eureka/v2/', '/eureka/'];
const MAX_BODY = 1 << 20;

export function createEurekaHttpServer(face: EurekaFace): Server {
  const server = createServer((req, res) => {
    handle(face, req, res).catch((e) => send(req, res, { status: 500, text: String((e as Error)?.message ?? e) }));
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

async function handle(face: EurekaFace, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://eureka');
  } catch {
    req.resume();
    return send(req, res, { status: 400, text: 'Malformed request URL' });
  }
  const body = req.method === 'POST' || req.method === 'PUT' ? await readBody(req) : (req.resume(), '');
  if (body === undefined) return send(req, res, { status: 413, text: `Request body larger than ${MAX_BODY} bytes` });
  let reply: FaceReply;
  try {
    reply = route(face, req.method ?? 'GET', url, body);
  } catch (e) {
    if (e instanceof EurekaBadRequest) reply = { status: 400, text: e.message };
    else if (e instanceof URIError) reply = { status: 400, text: `Malformed path: ${e.message}` };
    else throw e;
  }
  send(req, res, reply);
}

function route(face: EurekaFace, method: string, url: URL, body: string): FaceReply {
  const prefix = PREFIXES.find((p) => url.pathname.startsWith(p));
  if (!prefix) return { status: 404, text: `Not found: ${url.pathname} (the Eureka face serves /eureka/ and /eureka/v2/)` };
  const parts = url.pathname.slice(prefix.length).split('/').filter((p) => p !== '').map(decodeURIComponent);
  const [root, a, b, c] = parts;
  const q = url.searchParams;
  const get = (fn: () => Record<string, unknown> | undefined): FaceReply => {
    if (method !== 'GET') return notAllowed(method, 'GET');
    const found = fn();
    return found ? { status: 200, body: found } : { status: 404 };
  };
  if (root === 'apps') {
    if (parts.length === 1) return get(() => face.apps());
    if (parts.length === 2) {
      if (method === 'POST') return face.register(a, body);
      if (a === 'delta') return get(() => face.delta());
      return get(() => face.app(a));
    }
    if (parts.length === 3) {
      if (method === 'PUT') return face.renew(a, b, q);
      if (method === 'DELETE') return face.cancel(a, b);
      if (method === 'GET') return get(() => face.instance(a, b));
      return notAllowed(method, 'GET, PUT, DELETE');
    }
    if (parts.length === 4 && c === 'status') {
      if (method === 'PUT') return face.setStatus(a, b, q.get('value'), false);
      if (method === 'DELETE') return face.setStatus(a, b, q.get('value'), true);
      return notAllowed(method, 'PUT, DELETE');
    }
    if (parts.length === 4 && c === 'metadata') {
      if (method === 'PUT') return face.setMetadata(a, b, q);
      return notAllowed(method, 'PUT');
    }
  }
  if (root === 'peerreplication' && a === 'batch' && parts.length === 2) {
    if (method !== 'POST') return notAllowed(method, 'POST');
    return face.peerBatch ? face.peerBatch(body) : { status: 404, text: 'Not found: this Eureka server has no peers (registry.peers)' };
  }
  if (root === 'instances' && parts.length === 2) return get(() => face.instance(undefined, a));
  if ((root === 'vips' || root === 'svips') && parts.length === 2) return get(() => face.vip(a, root === 'svips'));
  return { status: 404, text: `Not found: ${url.pathname}` };
}

function notAllowed(method: string, allow: string): FaceReply {
  return { status: 405, text: `Method ${method} not allowed here (allowed: ${allow})` };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(req: IncomingMessage, res: ServerResponse, reply: FaceReply): void {
  if (res.headersSent || res.destroyed) return;
  let payload: Buffer;
  const headers: Record<string, string> = {};
  if (reply.body) {
    const json = String(req.headers.accept ?? '').includes('json');
    payload = Buffer.from(json ? JSON.stringify(reply.body) : toXml(reply.body));
    headers['Content-Type'] = json ? 'application/json' : 'application/xml';
  } else {
    payload = Buffer.from(reply.text ?? '');
    if (payload.length) headers['Content-Type'] = 'text/plain; charset=utf-8';
  }
  if (payload.length && String(req.headers['accept-encoding'] ?? '').includes('gzip')) {
    payload = gzipSync(payload);
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = String(payload.length);
  res.writeHead(reply.status, headers);
  res.end(reply.status === 204 ? undefined : payload);
}
