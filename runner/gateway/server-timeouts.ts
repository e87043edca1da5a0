import { answerAndLinger } from './lingering-close.ts';

/**
 * Timeouts every micro-dev HTTP server uses so a slow or idle client cannot hold a connection forever:
 * headers must arrive within 10 s, a whole request within 60 s, idle keep-alive connections close after 5 s.
 */
export const SERVER_TIMEOUTS = { headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 };

/** node:http options that bound slow clients (Node checks the first two every connectionsCheckingInterval). */
export function serverTimeoutOptions(over: Partial<typeof SERVER_TIMEOUTS> = {}) {
  const t = { ...SERVER_TIMEOUTS, ...over };
  return {
    headersTimeout: t.headersTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(t.headersTimeoutMs / 2))),
  };
}


/**
 * 'clientError' listener: malformed requests get a bare 400, requests cut off by the header/request
 * timeout get 408; the answer is followed by a lingering close (lingering-close.ts), so a client still
 * sending reads it instead of a reset. node's parser reports every later chunk of such a connection as
 * another error: those are the drain, not new answers.
 */
export function onClientError(err: NodeJS.ErrnoException, socket: import('node:stream').Duplex): void {
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  answerAndLinger(socket, `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
