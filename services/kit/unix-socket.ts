/**
 * Unix sockets beside TCP, for the hops between micro-dev and the instances it runs on the same machine
 * (issue 13). Bytes written to a Unix socket skip the kernel's TCP/IP path that loopback TCP takes (the
 * bare node:http chain of the e2e bench ran at 1.12 times its throughput with its inner hops on Unix
 * sockets), and a gateway request crosses three such hops. So, on Linux, micro-dev names Unix sockets in
 * two variables and the kit uses them; what is registered and dialled by everyone else stays host:port.
 *
 *   MICRO_DEV_SERVER_SOCKET=@micro-dev-4711-3          the server also listens here (before its TCP port)
 *   MICRO_DEV_SOCKETS=127.0.0.1:40123=@micro-dev-4711-4 a host:port that is also reachable at that socket
 *
 * `@name` is a Linux abstract socket (Go's notation for them): no file, gone with the process that holds it.
 * Anything else is a path in the file system.
 */
import { connect, type Server, type Socket } from 'node:net';

/** The path node:net takes for `name`: `@x` is the abstract socket `\0x`. */
export function unixSocketPath(name: string): string {
  return name.startsWith('@') ? `\0${name.slice(1)}` : name;
}

/** `host:port=socket` pairs, comma separated; throws a RangeError naming MICRO_DEV_SOCKETS and the bad part. */
export function parseSocketMap(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (text ?? '').split(',')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    const address = part.slice(0, Math.max(0, eq)).trim();
    const socket = part.slice(eq + 1).trim();
    if (eq <= 0 || !/:\d+$/.test(address) || !socket) throw new RangeError(`MICRO_DEV_SOCKETS: "${part}" is not host:port=socket`);
    out.set(address, socket);
  }
  return out;
}

/**
 * A connect hook for HttpPool: host:port listed in `sockets` is dialled at its Unix socket, anything else
 * is left to TCP (undefined). A socket nobody listens on is refused (ECONNREFUSED), as the port would be.
 */
export function dialUnixSockets(sockets: ReadonlyMap<string, string>): ((host: string, port: number) => Socket | undefined) | undefined {
  if (sockets.size === 0) return undefined;
  const paths = new Map([...sockets].map(([address, socket]) => [address, unixSocketPath(socket)]));
  return (host, port) => {
    const path = paths.get(`${host.includes(':') ? `[${host}]` : host}:${port}`);
    return path === undefined ? undefined : connect({ path });
  };
}

/**
 * Binds `server` to the socket `name`; rejects with an error naming it (`address already in use` for a
 * taken one). After the bind, accept errors (EMFILE) are swallowed: the port beside it still serves.
 */
export async function listenOnUnixSocket(server: Server, name: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) =>
      reject(new Error(`cannot listen on unix socket ${name}: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`, { cause: e }));
    server.once('error', failed);
    server.listen(unixSocketPath(name), () => {
      server.off('error', failed);
      resolve();
    });
  });
  server.on('error', () => {});
}
