/**
 * Reverse proxying an HTTP request to a registry node, for the http/proxy/web handlers and `micro web`.
 *
 *   client ──> lookup(service) ──> pick node ──> http.request(node, path) ──> pipe status/headers/body back
 *                                     ^  refused (ECONNREFUSED): eject node, retry once on another node
 *
 * Path and query are kept, Host is not rewritten, X-Forwarded-For gets the peer appended (Go ReverseProxy).
 * Status codes as micro: service not registered 500 (empty), no node 404 (empty), node down 502 (empty).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { GatewayBackend } from './gateway-backend.ts';
import { allNodes } from './gateway-backend.ts';
import { send } from './http-io.ts';

const hopByHop = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

/** One keep-alive agent per process: connections to backends are reused across requests. */
export const proxyAgent = new http.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 1000 });

export interface ProxyTarget {
  /** Path + query sent upstream. */
  url: string;
  /** Extra request headers (e.g. X-Micro-Web-Base-Path). */
  headers?: Record<string, string>;
  timeoutMs: number;
}

export function forwardedFor(req: IncomingMessage): string {
  const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const prior = req.headers['x-forwarded-for'];
  const p = Array.isArray(prior) ? prior.join(', ') : prior;
  return p ? `${p}, ${peer}` : peer;
}

function upstreamHeaders(req: IncomingMessage, extra: Record<string, string>): http.OutgoingHttpHeaders {
  const h: http.OutgoingHttpHeaders = { ...req.headers };
  for (const k of hopByHop) delete h[k];
  h['x-forwarded-for'] = forwardedFor(req);
  for (const [k, v] of Object.entries(extra)) h[k.toLowerCase()] = v;
  return h;
}

type Outcome = 'ok' | 'refused' | 'error';

function once(address: string, req: IncomingMessage, res: ServerResponse, body: Buffer, target: ProxyTarget): Promise<Outcome> {
  return new Promise((resolve) => {
    const colon = address.lastIndexOf(':');
    const headers = upstreamHeaders(req, target.headers ?? {});
    headers['content-length'] = String(body.length);
    const up = http.request({
      host: address.slice(0, colon).replace(/^\[|\]$/g, ''),
      port: Number(address.slice(colon + 1)),
      method: req.method,
      path: target.url,
      headers,
      agent: proxyAgent,
      timeout: target.timeoutMs,
    });
    let settled = false;
    const finish = (o: Outcome): void => {
      if (!settled) resolve(o);
      settled = true;
    };
    up.on('response', (ur) => {
      // timeoutMs bounds the wait for the response head only: streams (SSE, long downloads) may idle longer.
      up.setTimeout(0);
      const out: http.OutgoingHttpHeaders = { ...ur.headers };
      for (const k of hopByHop) if (k !== 'transfer-encoding') delete out[k];
      if (!res.headersSent) res.writeHead(ur.statusCode ?? 502, out);
      ur.pipe(res);
      ur.on('end', () => finish('ok'));
      ur.on('error', () => {
        res.destroy();
        finish('error');
      });
      res.on('close', () => {
        if (!ur.complete) ur.destroy();
        finish('ok');
      });
    });
    up.on('timeout', () => up.destroy(new Error('upstream timeout')));
    up.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      // A refused dial, or a stale keep-alive socket reset before any byte came back, is safe to retry.
      if (e.code === 'ECONNREFUSED' || (e.code === 'ECONNRESET' && !res.headersSent && up.reusedSocket)) {
        finish('refused');
        return;
      }
      if (!res.headersSent) send(res, 502, '');
      else res.destroy();
      finish('error');
    });
    up.end(body);
  });
}

/**
 * Proxies to one node of `service`. Resolves when the response is finished; never rejects.
 * Returns the address used (for logs) or undefined.
 */
export async function proxyToService(
  backend: GatewayBackend,
  service: string,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  target: ProxyTarget,
): Promise<string | undefined> {
  const services = await backend.lookup(service);
  if (services.length === 0) {
    send(res, 500, '');
    return undefined;
  }
  const nodes = allNodes(services);
  const tried = new Set<string>();
  for (let attempt = 0; attempt < 2; attempt++) {
    const picked = backend.pick(service, nodes, tried);
    if (!picked) break;
    tried.add(picked.node.id);
    const outcome = await once(picked.node.address, req, res, body, target);
    picked.done(outcome);
    if (outcome !== 'refused') return picked.node.address;
  }
  if (tried.size === 0) send(res, 404, '');
  else send(res, 502, '');
  return undefined;
}
