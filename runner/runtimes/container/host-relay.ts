/**
 * HostRelay: TCP forwarders on the topology network's gateway IP that lead to 127.0.0.1 on the host.
 * Host-side servers (registry, proxy, broker, fault links) listen on loopback only, which a container
 * cannot reach; a relay listening on the bridge gateway can, and it keeps a partition real: a container
 * disconnected from the network has no route to the gateway.
 *
 *   container ──> 172.30.7.1:<relay> ──HostRelay──> 127.0.0.1:<port>
 *
 * One listener per host port, shared by all instances; it tries the same port number first so addresses
 * stay recognisable. close() ends listeners and live connections.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class HostRelay {
  readonly bindIp: string;
  private readonly servers = new Map<number, Promise<{ server: Server; port: number }>>();
  private readonly sockets = new Set<Socket>();

  constructor(bindIp: string) {
    this.bindIp = bindIp;
  }

  /** Relay port on bindIp that forwards to 127.0.0.1:hostPort. Creates the listener on first use. */
  async ensure(hostPort: number): Promise<number> {
    let entry = this.servers.get(hostPort);
    if (!entry) {
      entry = this.listen(hostPort);
      this.servers.set(hostPort, entry);
      entry.catch(() => this.servers.delete(hostPort));
    }
    return (await entry).port;
  }

  private async listen(hostPort: number): Promise<{ server: Server; port: number }> {
    const server = createServer((inbound) => this.forward(inbound, hostPort));
    try {
      return { server, port: await listenOn(server, this.bindIp, hostPort) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      return { server, port: await listenOn(server, this.bindIp, 0) };
    }
  }

  private forward(inbound: Socket, hostPort: number): void {
    const outbound = connect(hostPort, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    }
    // A reset on one side is passed on as a reset, so the container sees what a direct client would.
    inbound.on('error', () => outbound.resetAndDestroy());
    outbound.on('error', () => inbound.resetAndDestroy());
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const entries = await Promise.allSettled([...this.servers.values()]);
    this.servers.clear();
    await Promise.all(
      entries.map((r) => (r.status === 'fulfilled' ? new Promise<void>((res) => r.value.server.close(() => res())) : undefined)),
    );
  }
}

function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
