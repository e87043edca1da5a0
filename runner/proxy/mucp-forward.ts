/**
 * The mucp half of `micro proxy` (gm@v1.18.0:proxy/mucp): a go-micro client with MICRO_PROXY_ADDRESS
 * POSTs here naming the ORIGINAL target in `Micro-Service` / `Micro-Endpoint`; we select a node of that
 * service (load balancing, one retry on conn error/408/500, ejection) and forward body and content type
 * unchanged. The answer has the mucp shape: 200, the node's body, or an empty body with `Micro-Error`.
 *   blank service -> Micro-Error {"id":"go.micro.proxy","code":400,"detail":"service name is blank",...}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MicroError } from '../../services/kit/errors.ts';
import type { GatewayBackend } from '../gateway/gateway-backend.ts';
import { canonicalHeaderKey } from '../gateway/http-io.ts';

const passThroughSkip = new Set([
  'host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'timeout', 'content-type', 'accept',
  'micro-id', 'micro-service', 'micro-method', 'micro-endpoint', 'x-micro-id', 'x-micro-service', 'x-micro-method', 'x-micro-endpoint',
]);

type MucpHeader = 'micro-id' | 'micro-service' | 'micro-method' | 'micro-endpoint' | 'timeout';
const X_NAMES: Record<MucpHeader, string> = {
  'micro-id': 'x-micro-id',
  'micro-service': 'x-micro-service',
  'micro-method': 'x-micro-method',
  'micro-endpoint': 'x-micro-endpoint',
  timeout: 'x-timeout',
};

function header(req: IncomingMessage, name: MucpHeader): string {
  const v = req.headers[name] ?? req.headers[X_NAMES[name]];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** True when the request carries mucp routing headers (Micro-Service or X-Micro-Service). */
export function isMucpRequest(req: IncomingMessage): boolean {
  return header(req, 'micro-service') !== '' || header(req, 'micro-endpoint') !== '' || header(req, 'micro-method') !== '';
}

/** The mucp answer: Micro-* (and Micro-Error) headers, each also as X-Micro-*, as name/value pairs (node:http writes them as they are). */
function reply(res: ServerResponse, req: IncomingMessage, body: Buffer, microError?: string): void {
  const id = header(req, 'micro-id');
  const service = header(req, 'micro-service');
  const method = header(req, 'micro-method');
  const endpoint = header(req, 'micro-endpoint');
  const out = ['Micro-Id', id, 'Micro-Service', service, 'Micro-Method', method, 'Micro-Endpoint', endpoint];
  // set apart so it can be read back (res.getHeader): the proxy's SERVER span is failed by it
  // (server-span.ts), and a head written as pairs alone keeps no header record
  if (microError !== undefined) res.setHeader('Micro-Error', microError);
  out.push('X-Micro-Id', id, 'X-Micro-Service', service, 'X-Micro-Method', method, 'X-Micro-Endpoint', endpoint);
  if (microError !== undefined) out.push('X-Micro-Error', microError);
  if (body.length > 0) out.push('Content-Type', req.headers['content-type'] ?? 'application/json');
  out.push('Content-Length', String(body.length));
  res.writeHead(200, out);
  res.end(body);
}

export async function forwardMucp(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  backend: GatewayBackend,
  options: { timeoutMs: number },
): Promise<string> {
  const service = header(req, 'micro-service');
  const endpoint = header(req, 'micro-endpoint') || header(req, 'micro-method');
  if (service === '') {
    reply(res, req, Buffer.alloc(0), MicroError.badRequest('go.micro.proxy', 'service name is blank').toString());
    return service;
  }
  const ns = Number(header(req, 'timeout'));
  const timeoutMs = Number.isFinite(ns) && ns > 0 ? Math.min(ns / 1e6, 3_600_000) : options.timeoutMs;
  const metadata: Record<string, string> = {};
  const headers = req.headers;
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined || passThroughSkip.has(k)) continue;
    metadata[canonicalHeaderKey(k)] = Array.isArray(v) ? v.join(',') : v;
  }
  try {
    const out = await backend.callWithHeaders(service, endpoint, body, {
      contentType: req.headers['content-type'] || 'application/protobuf',
      timeoutMs,
      headers: metadata,
    });
    reply(res, req, out.body);
  } catch (e) {
    const err = MicroError.from(e);
    // Routing failures are plain strings in go-micro; keep the JSON form so clients parse them the same way.
    reply(res, req, Buffer.alloc(0), err.toString());
  }
  return service;
}
