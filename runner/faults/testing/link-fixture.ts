/**
 * linkFixture: a real echo server on 127.0.0.1:0, a FaultPlane with one link to it, and raw TCP clients
 * through the link, for tests that drive real bytes through real toxics. `await using` closes it all.
 *
 *   LinkClient --> link (127.0.0.1:P, toxics) --> echo server (writes back what it reads, FIN for FIN)
 */
import net from 'node:net';
import { FaultPlane } from '../fault-plane.ts';
import type { Link } from '../link.ts';
import { seededRandom } from '../seeded-random.ts';

export interface LinkClient {
  socket: net.Socket;
  /** Everything received so far. */
  received(): Buffer;
  /** Data events seen so far. */
  readonly chunks: number;
  /** Resolves once at least n bytes arrived; rejects after deadlineMs. */
  waitForBytes(n: number, deadlineMs?: number): Promise<Buffer>;
  /** Resolves when the socket closed: `reset` when it died of ECONNRESET, `end` when the peer sent FIN. */
  closed: Promise<{ reset: boolean; ended: boolean; at: number }>;
  /** Resolves at the peer's FIN. */
  ended: Promise<number>;
}

export interface LinkFixture extends AsyncDisposable {
  plane: FaultPlane;
  link: Link;
  echoPort: number;
  /** Bytes the echo server has read so far (proves bytes reached the upstream). */
  echoed(): number;
  /** Echo-side sockets still open. */
  echoOpen(): number;
  connect(): Promise<LinkClient>;
}

export async function linkFixture(seed = 1): Promise<LinkFixture> {
  let echoed = 0;
  const serverSockets = new Set<net.Socket>();
  const echo = net.createServer({ allowHalfOpen: true }, (socket) => {
    serverSockets.add(socket);
    socket.on('data', (chunk) => {
      echoed += chunk.length;
      socket.write(chunk);
    });
    socket.on('end', () => socket.end());
    socket.on('error', () => {});
    socket.on('close', () => serverSockets.delete(socket));
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const echoPort = (echo.address() as net.AddressInfo).port;
  const plane = new FaultPlane({ random: seededRandom(seed) });
  const link = await plane.createLink({ name: 'echo', upstream: `127.0.0.1:${echoPort}` });
  const clients: net.Socket[] = [];

  return {
    plane,
    link,
    echoPort,
    echoed: () => echoed,
    echoOpen: () => serverSockets.size,
    connect: () => connectClient(link.port, clients),
    async [Symbol.asyncDispose]() {
      for (const c of clients) c.destroy();
      await plane.close();
      for (const s of serverSockets) s.destroy();
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    },
  };
}

export function connectClient(port: number, track: net.Socket[] = []): Promise<LinkClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    track.push(socket);
    const parts: Buffer[] = [];
    let size = 0;
    let chunks = 0;
    let reset = false;
    let ended = false;
    const waiters = new Set<() => void>();
    socket.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      size += chunk.length;
      chunks++;
      for (const w of waiters) w();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET') reset = true;
    });
    const endedP = new Promise<number>((res) => socket.once('end', () => {
      ended = true;
      res(performance.now());
    }));
    const closed = new Promise<{ reset: boolean; ended: boolean; at: number }>((res) =>
      socket.once('close', () => res({ reset, ended, at: performance.now() })),
    );
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => Buffer.concat(parts),
        get chunks() {
          return chunks;
        },
        waitForBytes: (n, deadlineMs = 5000) =>
          new Promise((res, rej) => {
            const check = () => {
              if (size < n) return false;
              clearTimeout(timer);
              waiters.delete(onData);
              res(Buffer.concat(parts));
              return true;
            };
            const onData = () => void check();
            const timer = setTimeout(() => {
              waiters.delete(onData);
              rej(new Error(`expected ${n} bytes within ${deadlineMs} ms, got ${size}`));
            }, deadlineMs);
            if (!check()) waiters.add(onData);
          }),
        closed,
        ended: endedP,
      }),
    );
    socket.once('error', reject);
  });
}

/** Polls cond every 2 ms until true; rejects with `what` after deadlineMs. */
export async function waitUntil(cond: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > deadlineMs) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
