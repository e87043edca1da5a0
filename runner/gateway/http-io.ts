/**
 * Small HTTP helpers shared by the gateway, proxy and web gateway: reading a body under a limit, writing
 * go-micro error bodies, Go's canonical header keys.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MicroError } from '../../services/kit/errors.ts';
import { boundedMemo } from '../../services/kit/bounded-memo.ts';

/** Thrown by readBody when the body exceeds the limit; the caller answers 413. */
export class BodyTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`request body exceeds the limit of ${limit} bytes`);
    this.limit = limit;
  }
}

/** Reads the whole body; rejects with BodyTooLargeError past `limit` bytes (checked on Content-Length first). */
const EMPTY = Buffer.alloc(0);

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  // No Content-Length and no Transfer-Encoding: HTTP/1.1 says there is no body (skip the stream events).
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return Promise.resolve(EMPTY);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
      done = true;
    });
    req.on('error', (e) => {
      if (!done) reject(e);
      done = true;
    });
    req.on('aborted', () => {
      if (!done) reject(new Error('request aborted'));
      done = true;
    });
  });
}

/** Go's textproto.CanonicalMIMEHeaderKey for ASCII token keys: `x-forwarded-for` -> `X-Forwarded-For`. */
export const canonicalHeaderKey = boundedMemo((k: string): string =>
  /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(k) ? k.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()) : k,
);

/** Sends `body` with status and headers unless the response already started (then just ends it). */
export function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  for (const k in headers) res.setHeader(k, headers[k]!);
  res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.statusCode = status;
  // a string body goes out in one string with the head (node:http joins them), where a Buffer makes a
  // second chunk and a writev
  res.end(body);
}

/** A go-micro error body; the status is the error's code, or 500 when the code is 0 (body unchanged). */
export function sendMicroError(res: ServerResponse, err: MicroError, status?: number): void {
  const s = status ?? (err.code >= 200 && err.code <= 599 ? err.code : 500);
  send(res, s, err.toString(), { 'Content-Type': 'application/json' });
}

/** 413 with a JSON error naming the limit (micro answers 500 for this; see README). */
export function sendTooLarge(res: ServerResponse, id: string, limit: number): void {
  sendMicroError(res, new MicroError(id, 413, `request body too large: limit is ${limit} bytes`, 'Request Entity Too Large'));
}

/** Go ServeMux cleanPath: path.Clean, keeping a trailing slash. Returns undefined when already clean. */
export function uncleanRedirect(path: string, goClean: (p: string) => string): string | undefined {
  if (path === '') return '/';
  let p = path.startsWith('/') ? path : '/' + path;
  const cleaned = goClean(p);
  p = cleaned !== '/' && p.endsWith('/') ? cleaned + '/' : cleaned;
  return p === path ? undefined : p;
}

export function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}
