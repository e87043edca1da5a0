/**
 * `POST /rpc` (mm@v1.18.0:internal/handler/rpc.go), shared by the gateway (when enableRpc) and the proxy.
 *   JSON body {service, endpoint|method, address?, request} (keys case-insensitive), or form fields with the
 *   same names (request = a JSON string). `Timeout: <seconds>` sets the call timeout.
 *   400 go.micro.rpc `invalid service` / `invalid endpoint`;  405 `Method not allowed\n` for non-POST;
 *   200 with the backend's JSON exactly (no trailing newline).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MicroError } from '../../services/kit/errors.ts';
import type { GatewayBackend } from './gateway-backend.ts';
import { rpcError, trimJsonBody } from './rpc-handler.ts';
import { send, sendMicroError } from './http-io.ts';

interface RpcCall {
  service: string;
  endpoint: string;
  address: string;
  request: unknown;
}

function pickKey(o: Record<string, unknown>, key: string): unknown {
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === key) return v;
  return undefined;
}

/** Parses the body into a call; throws a MicroError 400 when it cannot. */
export function parseRpcCall(contentType: string, body: Buffer): RpcCall {
  const ct = contentType.split(';')[0]?.trim().toLowerCase();
  let service: unknown;
  let endpoint: unknown;
  let address: unknown;
  let request: unknown;
  if (ct === 'application/json') {
    let o: unknown;
    try {
      o = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw MicroError.badRequest('go.micro.rpc', e instanceof Error ? e.message : String(e));
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw MicroError.badRequest('go.micro.rpc', 'invalid request body');
    const rec = o as Record<string, unknown>;
    service = pickKey(rec, 'service');
    endpoint = pickKey(rec, 'endpoint') || pickKey(rec, 'method');
    address = pickKey(rec, 'address');
    request = pickKey(rec, 'request');
    if (typeof request === 'string') {
      try {
        request = JSON.parse(request);
      } catch {
        throw MicroError.badRequest('go.micro.rpc', 'error decoding request string: invalid JSON');
      }
    }
  } else {
    const form = new URLSearchParams(body.toString('utf8'));
    service = form.get('service') ?? '';
    endpoint = form.get('endpoint') || form.get('method') || '';
    address = form.get('address') ?? '';
    const r = form.get('request') ?? '';
    if (r.trim() === '') throw MicroError.badRequest('go.micro.rpc', 'error decoding request string: EOF');
    try {
      request = JSON.parse(r);
    } catch {
      throw MicroError.badRequest('go.micro.rpc', 'error decoding request string: invalid JSON');
    }
  }
  if (typeof service !== 'string' || service === '') throw MicroError.badRequest('go.micro.rpc', 'invalid service');
  if (typeof endpoint !== 'string' || endpoint === '') throw MicroError.badRequest('go.micro.rpc', 'invalid endpoint');
  return { service, endpoint, address: typeof address === 'string' ? address : '', request: request ?? null };
}

/** `Timeout` header in seconds (micro honours it on /rpc only); falls back to the default. */
export function rpcTimeoutMs(req: IncomingMessage, fallbackMs: number): number {
  const raw = req.headers.timeout;
  const s = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(s) && s > 0 ? Math.min(s * 1000, 3_600_000) : fallbackMs;
}

export async function serveRpcEndpoint(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  backend: GatewayBackend,
  options: { timeoutMs: number; metadata: Record<string, string>; routedTo?: (s: string) => void },
): Promise<void> {
  if (req.method !== 'POST') {
    send(res, 405, 'Method not allowed\n', { 'Content-Type': 'text/plain; charset=utf-8' });
    return;
  }
  let call: RpcCall;
  try {
    call = parseRpcCall(req.headers['content-type'] ?? '', body);
  } catch (e) {
    sendMicroError(res, MicroError.from(e));
    return;
  }
  options.routedTo?.(call.service);
  const metadata = { ...options.metadata };
  delete metadata.Timeout;
  try {
    const out = await backend.callRaw(call.service, call.endpoint, JSON.stringify(call.request), {
      contentType: 'application/json',
      timeoutMs: rpcTimeoutMs(req, options.timeoutMs),
      headers: metadata,
      ...(call.address ? { address: call.address } : {}),
    });
    send(res, 200, trimJsonBody(out), { 'Content-Type': 'application/json' });
  } catch (e) {
    sendMicroError(res, rpcError(e, 'go.micro.rpc'));
  }
}
