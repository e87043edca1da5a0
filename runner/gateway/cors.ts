/**
 * CORS as micro v2 (gm@v2.9.1:api/server/cors): each header only if not already set; OPTIONS is answered
 * with an empty 200 before routing. Returns true when the request was a preflight (caller answers 200).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
  const set = (k: string, v: string): void => {
    if (!res.hasHeader(k)) res.setHeader(k, v);
  };
  const origin = req.headers.origin;
  set('Access-Control-Allow-Origin', typeof origin === 'string' && origin !== '' ? origin : '*');
  set('Access-Control-Allow-Credentials', 'true');
  set('Access-Control-Allow-Methods', 'POST, PATCH, GET, OPTIONS, PUT, DELETE');
  set('Access-Control-Allow-Headers', 'Accept, Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token, Authorization');
  return req.method === 'OPTIONS';
}
