/**
 * The `rpc` handler (gm@v1.18.0:api/handler/rpc): JSON (or proto bytes) in, the backend's bytes out.
 *   GET  -> the query as JSON (qson);  POST/PATCH -> the raw body;  anything else -> `null`.
 *   application/json-rpc bodies are unwrapped from their envelope (params[0]).
 * Answers 200 with the backend's body (trailing newline of the JSON codec removed), errors as go-micro
 * error JSON with Content-Type application/json (micro never sends that header on errors: README §8.8).
 */
import type { ServerResponse } from 'node:http';
import { MicroError } from '../../services/kit/errors.ts';
import { qsonToJson } from './qson.ts';
import { send, sendMicroError } from './http-io.ts';
import type { HandlerContext } from './handler-context.ts';

const protoTypes = new Set([
  'application/grpc',
  'application/grpc+proto',
  'application/proto',
  'application/protobuf',
  'application/proto-rpc',
  'application/octet-stream',
]);

/** go-micro rpc handler writeError: code 0 becomes 500 `error during request: …` from go.micro.api. */
export function rpcError(e: unknown, id = 'go.micro.api'): MicroError {
  const ce = MicroError.from(e);
  if (ce.code === 0) return MicroError.internal(id, `error during request: ${ce.detail}`);
  return ce;
}

/** The payload for one request; throws for an invalid query (qson) or json-rpc envelope. */
export function rpcPayload(method: string, contentType: string, body: Buffer, query: string): Buffer {
  // v1: a GET without a query sends an empty payload (JSON null); v2 would send {}.
  if (method === 'GET') return Buffer.from(query === '' ? 'null' : qsonToJson(query));
  if (method !== 'POST' && method !== 'PATCH') return Buffer.from('null');
  if (contentType === 'application/json-rpc') {
    const env = JSON.parse(body.toString('utf8') || 'null') as { params?: unknown[] } | null;
    return Buffer.from(JSON.stringify(env?.params?.[0] ?? null));
  }
  if (body.length === 0 && !protoTypes.has(contentType)) return Buffer.from('null');
  return body;
}

/** Trims the JSON codec's trailing newline so bodies are exactly `{"msg":"Hello John"}`. */
export function trimJsonBody(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x0a || b[end - 1] === 0x0d)) end--;
  return end === b.length ? b : b.subarray(0, end);
}

export async function serveRpc(ctx: HandlerContext, res: ServerResponse, service: string, endpoint: string): Promise<void> {
  const rawCt = ctx.req.headers['content-type'] ?? '';
  const ct = rawCt.split(';')[0]?.trim().toLowerCase() ?? '';
  const isProto = protoTypes.has(ct);
  let payload: Buffer;
  try {
    payload = rpcPayload(ctx.req.method ?? 'GET', ct, ctx.body, ctx.query);
  } catch (e) {
    sendMicroError(res, rpcError(e));
    return;
  }
  try {
    const out = await ctx.backend.callRaw(service, endpoint, payload, {
      contentType: isProto ? ct : 'application/json',
      timeoutMs: ctx.timeoutMs,
      headers: ctx.metadata,
    });
    // micro echoes the request's Content-Type; with none sent we say application/json (README).
    send(res, 200, isProto ? out : trimJsonBody(out), { 'Content-Type': rawCt || 'application/json' });
  } catch (e) {
    sendMicroError(res, rpcError(e));
  }
}
