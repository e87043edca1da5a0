/**
 * PeerRouter: the peer address an etcd member advertises. It tells which member dialed it and sends the
 * connection on through that pair's fault-plane link, so peer traffic can be cut per pair of members:
 *
 *   etcd-2 ──dials──> router of etcd-1 ──(who? the owner of the client socket)──> link registry/etcd-1/peer-from-etcd-2 ──> etcd-1
 *
 * etcd's peer URLs must be the same for every member (member ids are hashed from them), so one address per
 * member is all there can be; the dialer is found from the socket itself (findConnectionOwner). A
 * connection from none of the members goes through the member's `registry/<member>/peer` link.
 */
import net from 'node:net';
import { findConnectionOwner } from '../../net/find-connection-owner.ts';

export interface PeerRoute {
  /** host:port to forward a connection dialed by `pid` (undefined: not one of the members) to. */
  target(pid: number | undefined): string | undefined;
  /** pids of the running members. */
  pids(): number[];
}

export class PeerRouter {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();

  private constructor(server: net.Server) {
    this.#server = server;
  }

  static async open(route: PeerRoute): Promise<PeerRouter> {
    const server = net.createServer();
    const router = new PeerRouter(server);
    server.on('connection', (socket) => router.#accept(socket, route));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    return router;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  get listen(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #track(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  #accept(socket: net.Socket, route: PeerRoute): void {
    this.#track(socket);
    // Paused until the dialer is known: nothing is read (or lost) before the onward connection exists.
    socket.pause();
    void findConnectionOwner(socket.remotePort ?? 0, this.port, route.pids()).then((pid) => {
      const target = route.target(pid);
      if (!target || socket.destroyed) return socket.destroy();
      const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
      const onward = net.connect({ host, port });
      this.#track(onward);
      onward.once('connect', () => {
        socket.pipe(onward);
        onward.pipe(socket);
        socket.resume();
      });
      const both = () => {
        socket.destroy();
        onward.destroy();
      };
      socket.once('close', both);
      onward.once('close', both);
    });
  }
}
