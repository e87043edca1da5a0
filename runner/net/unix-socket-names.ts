/**
 * The Unix sockets micro-dev gives the hops between its links and the instances it runs on this machine
 * (services/kit/unix-socket.ts says why). Linux only: there they are abstract sockets (`@micro-dev-<pid>-<tag>-<n>`),
 * which leave no file behind whatever ends the process; elsewhere every hop stays TCP. A container has a
 * network namespace of its own, where our abstract sockets are not: its hops stay TCP too.
 *
 *   unixSocketsHere()        true on Linux (MICRO_DEV_UNIX_SOCKETS=0 turns them off, to compare)
 *   newUnixSocketName()      a name no other socket of this process or another micro-dev has
 *   servesUnixSocket(name)   whether something accepts connections on it now
 */
import net from 'node:net';
import { unixSocketPath } from '../../services/kit/unix-socket.ts';

let next = 0;
// with the pid: two micro-devs in PID namespaces of their own may share a network namespace (and a pid)
const tag = Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0');

export function unixSocketsHere(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): boolean {
  return platform === 'linux' && env.MICRO_DEV_UNIX_SOCKETS !== '0';
}

export function newUnixSocketName(): string {
  return `@micro-dev-${process.pid}-${tag}-${++next}`;
}

/** Connects and hangs up: true once connected, false on any error or after timeoutMs. */
export function servesUnixSocket(name: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ path: unixSocketPath(name) });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
