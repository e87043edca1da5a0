/**
 * assertPortFree: fails fast, with who holds it, when a port micro-dev wants is taken.
 *
 * It binds host:port for an instant (the OS is the only reliable judge: 0.0.0.0 vs 127.0.0.1 overlaps,
 * IPv6 dual stack) and closes again; on EADDRINUSE it looks up the owner via findPortOwner.
 * Resolves in milliseconds. Port 0 is always free.
 */
import { createServer } from 'node:net';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { findPortOwner } from './find-port-owner.ts';

export interface AssertPortFreeOptions {
  /** Replaces the default hint `change <role>.port in micro.dev.yaml`. */
  hints?: string[];
}

export async function assertPortFree(
  host: string,
  port: number,
  role: string,
  options: AssertPortFreeOptions = {},
): Promise<void> {
  if (port === 0) return;
  const failure = await tryListen(host, port);
  if (!failure) return;
  const configHint = options.hints ?? [`change ${role}.port in micro.dev.yaml`];
  if (failure.code === 'EADDRINUSE') {
    const owner = await findPortOwner(port);
    const by = owner ? `by pid ${owner.pid} (${owner.command})` : 'by another process';
    const hints = owner ? [...configHint, `or stop the process holding it: kill ${owner.pid}`] : configHint;
    throw new MicroDevError('PORT_IN_USE', `port ${port} (${role}) is already in use ${by}`, {
      cause: failure,
      hints,
    });
  }
  if (failure.code === 'EACCES') {
    throw new MicroDevError('PORT_IN_USE', `port ${port} (${role}) needs privileges this user does not have`, {
      cause: failure,
      hints: [...configHint, 'use a port above 1023'],
    });
  }
  if (failure.code === 'EADDRNOTAVAIL' || failure.code === 'ENOTFOUND') {
    throw new MicroDevError('PORT_IN_USE', `cannot listen on ${host}:${port} (${role}): ${host} is not a local address`, {
      cause: failure,
      hints: [`change ${role}.host in micro.dev.yaml`],
    });
  }
  throw new MicroDevError('PORT_IN_USE', `cannot listen on ${host}:${port} (${role}): ${failure.message}`, {
    cause: failure,
    hints: configHint,
  });
}

function tryListen(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
