/**
 * StartedServer: the handle every in-process server of micro-dev returns (gateway, proxy, web gateway,
 * broker). `start*()` resolves only once the socket is listening; `stop()` closes the listener and every
 * open connection (keep-alive, WebSocket) and resolves when the server is fully closed. The caller that
 * started a server owns it and must stop it.
 */
import type { Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { MicroDevError } from '../errors/micro-dev-error.ts';

export interface StartedServer {
  /** `http://127.0.0.1:8080` (or `https://` with TLS). */
  readonly url: string;
  /** `host:port` as listened on. */
  readonly address: string;
  readonly port: number;
  /**
   * Serves a connection made in memory (a fault-plane link of this process, local-socket.ts) as if it had
   * been accepted; false once the server is stopped.
   */
  accept(socket: Duplex): boolean;
  stop(): Promise<void>;
}

/**
 * Listens on host:port and resolves with the bound port. A taken port rejects with
 * MicroDevError PORT_IN_USE naming the port and `label` (the integrator adds who holds it).
 */
export function listenOn(server: Server, host: string, port: number, label: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') {
        reject(new MicroDevError('PORT_IN_USE', `port ${port} (${label}) is already in use`, { cause: err }));
      } else {
        reject(new MicroDevError('START_FAILED', `${label} could not listen on ${host}:${port}: ${err.message}`, { cause: err }));
      }
    };
    const onListening = (): void => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Closes a node:http(s) server including idle and active keep-alive connections. */
export function closeServer(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/** `host:port` with IPv6 hosts bracketed. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Listens and wraps the server in a StartedServer: if listening fails, `release` frees what the caller set up
 * for it (registry clients, caches) before the error goes on; stop() closes the server, then releases, once.
 */
export async function serve(
  server: Server & { closeAllConnections?: () => void },
  listen: { host: string; port: number; label: string; scheme?: 'http' | 'https' },
  release: () => Promise<unknown> | void,
): Promise<StartedServer> {
  let port: number;
  try {
    port = await listenOn(server, listen.host, listen.port, listen.label);
  } catch (e) {
    await release();
    throw e;
  }
  const address = hostPort(listen.host, port);
  let stopping: Promise<void> | undefined;
  return {
    url: `${listen.scheme ?? 'http'}://${address}`,
    address,
    port,
    accept(socket) {
      if (!server.listening || stopping) return false;
      server.emit('connection', socket);
      return true;
    },
    stop() {
      stopping ??= closeServer(server).then(async () => {
        await release();
      });
      return stopping;
    },
  };
}
