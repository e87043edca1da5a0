/**
 * The `api` handler (gm@v1.18.0:api/handler/api): the HTTP request becomes an `api.Request`, the backend
 * answers an `api.Response` whose statusCode, header and body become the HTTP response. Both travel as
 * JSON (our kit speaks JSON; micro v1 would send protobuf).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MicroError } from '../../services/kit/errors.ts';
import { canonicalHeaderKey, sendMicroError, send } from './http-io.ts';
import type { HandlerContext } from './handler-context.ts';

export interface Pair {
  key: string;
  values: string[];
}

/**
 * Name/value pairs are grouped by name in a Map, in first-seen order, then made api.Request's map of Pair:
 * a keyed read of a plain object with names fresh from a parser (every query string is parsed anew) kept
 * V8 deoptimizing buildApiRequest under load (`unexpected name in keyed access`, about once a second), and
 * a name like `__proto__` is one more name here, not the object's prototype.
 */
function addPair(byKey: Map<string, Pair>, key: string, value: string): void {
  const p = byKey.get(key);
  if (p) p.values.push(value);
  else byKey.set(key, { key, values: [value] });
}

function pairsOf(params: URLSearchParams): Record<string, Pair> {
  const byKey = new Map<string, Pair>();
  for (const [k, v] of params) addPair(byKey, k, v);
  return Object.fromEntries(byKey);
}

function remoteIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

/** Builds the api.Request JSON object for a request whose body was already read. */
export function buildApiRequest(req: IncomingMessage, body: Buffer, path: string, query: string): Record<string, unknown> {
  const byKey = new Map<string, Pair>();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = canonicalHeaderKey(raw[i] ?? '');
    if (k !== 'Host') addPair(byKey, k, raw[i + 1] ?? '');
  }
  const header: Record<string, Pair> = Object.fromEntries(byKey);
  if (!header['Content-Type']) header['Content-Type'] = { key: 'Content-Type', values: ['text/plain; charset=UTF-8'] };
  if (req.headers.host !== undefined) header.Host = { key: 'Host', values: [req.headers.host] };
  // micro appends the peer to X-Forwarded-For, then the header copy overwrites it with a client-sent one.
  if (!header['X-Forwarded-For']) header['X-Forwarded-For'] = { key: 'X-Forwarded-For', values: [remoteIp(req)] };

  const get = pairsOf(new URLSearchParams(query));

  const out: Record<string, unknown> = { method: req.method ?? 'GET', path, header, get };
  const ct = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (ct === 'application/x-www-form-urlencoded') {
    out.post = pairsOf(new URLSearchParams(body.toString('utf8')));
  } else if (body.length > 0) {
    out.body = body.toString('utf8');
  }
  out.url = req.url ?? path;
  return out;
}

interface ApiResponse {
  statusCode?: number;
  header?: Record<string, Pair>;
  body?: string;
}

const RESPONSE_FIELDS = new Set(['statusCode', 'header', 'body']);

/**
 * Why a decoded answer is not an `api.Response`, or undefined when it is. micro decodes it with jsonpb,
 * which refuses unknown fields (a 500), so a handler that returns its payload itself (`{"message":…}`
 * instead of `{statusCode, body}`) fails there too, rather than answering an empty 200. All fields may be
 * omitted (an empty 200), as proto3 JSON omits zero values.
 */
export function apiResponseProblem(value: unknown): string | undefined {
  const expected = 'an api.Response is {statusCode, header, body} with body a string';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `not an api.Response (${expected})`;
  let unknown: string[] = [];
  for (const k in value) {
    if (!RESPONSE_FIELDS.has(k)) {
      unknown = Object.keys(value).filter((key) => !RESPONSE_FIELDS.has(key));
      break;
    }
  }
  if (unknown.length > 0) return `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (${expected})`;
  const r = value as Record<string, unknown>;
  if (r.statusCode !== undefined && !(Number.isInteger(r.statusCode) && ((r.statusCode as number) === 0 || ((r.statusCode as number) >= 100 && (r.statusCode as number) <= 599)))) {
    return `statusCode ${JSON.stringify(r.statusCode)} is not an HTTP status (100-599, or 0 for 200)`;
  }
  if (r.body !== undefined && typeof r.body !== 'string') return `body is ${Array.isArray(r.body) ? 'an array' : typeof r.body}, not a string (JSON.stringify it)`;
  if (r.header !== undefined && (r.header === null || typeof r.header !== 'object' || Array.isArray(r.header))) {
    return 'header is not a map of {key, values}';
  }
  return undefined;
}

/** Serves one request through the api handler for an already resolved (service, method). */
export async function serveApi(ctx: HandlerContext, res: ServerResponse, service: string, method: string): Promise<void> {
  const apiReq = buildApiRequest(ctx.req, ctx.body, ctx.path, ctx.query);
  let out: Buffer;
  try {
    out = await ctx.backend.callRaw(service, method, JSON.stringify(apiReq), {
      contentType: 'application/json',
      timeoutMs: ctx.timeoutMs,
      headers: ctx.metadata,
    });
  } catch (e) {
    // errors.Parse then re-serialise: a code-0 error keeps code 0 in the body but answers 500.
    sendMicroError(res, MicroError.from(e));
    return;
  }
  let rsp: ApiResponse;
  try {
    const parsed: unknown = JSON.parse(out.toString('utf8') || '{}');
    const problem = apiResponseProblem(parsed);
    if (problem) {
      const returned = out.toString('utf8').trim().slice(0, 200);
      sendMicroError(res, MicroError.internal('go.micro.api', `api handler ${service} ${method} returned ${returned}: ${problem}`));
      return;
    }
    rsp = parsed as ApiResponse;
  } catch {
    sendMicroError(res, MicroError.internal('go.micro.api', `error decoding api.Response: ${out.toString('utf8').slice(0, 200)}`));
    return;
  }
  const headers: Record<string, string> = {};
  let typed = false;
  for (const name in rsp.header) {
    const pair = rsp.header[name];
    if (!pair || typeof pair.key !== 'string' || !Array.isArray(pair.values)) continue;
    headers[pair.key] = pair.values.join(', ');
    typed ||= pair.key.toLowerCase() === 'content-type';
  }
  if (!typed) headers['Content-Type'] = 'application/json';
  const status = rsp.statusCode || 200;
  send(res, status, rsp.body ?? '', headers);
}
