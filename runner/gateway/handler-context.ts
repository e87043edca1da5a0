/**
 * What a gateway handler gets for one request: the request with its body already read (under the body
 * limit), the split URL, the backend and the call settings. Built by start-gateway per request.
 */
import type { IncomingMessage } from 'node:http';
import type { GatewayConfig } from '../config/topology.ts';
import type { GatewayBackend } from './gateway-backend.ts';

export interface HandlerContext {
  req: IncomingMessage;
  body: Buffer;
  /** URL path (no query) and raw query (no `?`). */
  path: string;
  query: string;
  backend: GatewayBackend;
  config: GatewayConfig;
  namespace: string;
  timeoutMs: number;
  /** Inbound HTTP headers as call metadata (values joined with `,`, as go-micro's ctx does). */
  metadata: Record<string, string>;
  /** Lets the handler tell the request log which service it routed to. */
  routedTo(service: string): void;
}

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length', 'host', 'te', 'trailer']);

/** HTTP headers -> call metadata (canonical keys, hop-by-hop and Content-Length dropped). */
export function headersToMetadata(req: IncomingMessage, canonical: (k: string) => string): Record<string, string> {
  const md: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || hopByHop.has(k)) continue;
    md[canonical(k)] = Array.isArray(v) ? v.join(',') : v;
  }
  return md;
}
