/**
 * Lingering close: an answer sent before the client finished its upload (413 over the body limit, 400 for
 * a bad request line) must still reach the client, as Go's net/http makes sure it does.
 *
 *   server: answer ──> FIN (half-close) ──> read and discard for up to LINGER_MS / LINGER_BYTES ──> close
 *   client: ...still writing...  reads the answer  ...  sees our FIN, stops, or its writes fail only now
 *
 * Closing the socket at once (node's default after `Connection: close`) leaves unread upload bytes in the
 * kernel, which then answers them with a TCP RST; an RST throws away the answer the client has not read
 * yet, so it sees EPIPE / ECONNRESET instead of the 413. Go does answer, CloseWrite, wait, close
 * (net/http server.go closeWriteAndWait); we drain while we wait, so the client's writes keep flowing
 * and never hit a full window. Bounded: the socket is destroyed after LINGER_MS or LINGER_BYTES read.
 */
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export const LINGER_MS = 1_000;
export const LINGER_BYTES = 64 * 1024 * 1024;

const lingering = new WeakSet<Duplex>();

/**
 * Marks the response as the connection's last (`Connection: close`) and makes node's close of the socket,
 * once the answer is written, a lingering one. Call before the answer is sent.
 */
export function closeAfterAnswer(res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  const socket = res.socket as (Duplex & { destroySoon?: () => void }) | null;
  if (!socket) return;
  // node:http ends a `Connection: close` response's socket with destroySoon() (end, then destroy once the
  // FIN is out); the request body is still being read and dumped by node's parser meanwhile.
  socket.destroySoon = () => linger(socket);
}

/** For 'clientError': writes `answer`, half-closes and drains. True if this socket was already answered. */
export function answerAndLinger(socket: Duplex, answer: string): boolean {
  if (lingering.has(socket)) return true;
  if (!socket.writable) {
    socket.destroy();
    return false;
  }
  socket.write(answer);
  linger(socket);
  return false;
}

function linger(socket: Duplex): void {
  if (lingering.has(socket) || socket.destroyed) return;
  lingering.add(socket);
  socket.end();
  let read = 0;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > LINGER_BYTES) socket.destroy();
  });
  // The client is done sending (its FIN): nothing left to protect.
  socket.once('end', () => socket.destroy());
  socket.once('close', () => clearTimeout(timer));
  socket.on('error', () => socket.destroy());
  socket.resume();
}
