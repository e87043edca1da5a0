import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkTopologyText } from '../config/check-topology-text.ts';
import { instanceEnv } from '../engine/instance-env.ts';
import { unixSocketPath } from '../../services/kit/unix-socket.ts';
import { newUnixSocketName, servesUnixSocket, unixSocketsHere } from './unix-socket-names.ts';

describe('Unix socket names for micro-dev\'s own hops', () => {
  it('are used on Linux only, unless MICRO_DEV_UNIX_SOCKETS=0', () => {
    expect(unixSocketsHere('linux', {})).toBe(true);
    expect(unixSocketsHere('linux', { MICRO_DEV_UNIX_SOCKETS: '0' })).toBe(false);
    expect(unixSocketsHere('darwin', {})).toBe(false);
    expect(unixSocketsHere('win32', {})).toBe(false);
  });

  it('are abstract (@), carry this process\'s pid, and are never handed out twice', () => {
    const names = Array.from({ length: 50 }, newUnixSocketName);
    expect(new Set(names).size).toBe(50);
    for (const name of names) expect(name).toMatch(new RegExp(`^@micro-dev-${process.pid}-[0-9a-z]{4}-\\d+$`));
    // the kernel's limit for a socket address (107 bytes after the leading NUL) is far away
    expect(Math.max(...names.map((n) => n.length))).toBeLessThan(60);
  });

  it.runIf(process.platform === 'linux')('tells a socket something accepts on from one nobody does', async () => {
    const name = newUnixSocketName();
    expect(await servesUnixSocket(name)).toBe(false);
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(unixSocketPath(name), r));
    try {
      expect(await servesUnixSocket(name)).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('instance variables for them', () => {
  const topology = checkTopologyText('name: t\nservices:\n  greeter-srv:\n    module: main.ts\n', '/p/micro.dev.yaml', { fileExists: () => true }).topology!;
  const service = topology.services[0]!;

  it('names the server socket and the links\' sockets when micro-dev gives them', () => {
    const linkSockets: [string, string][] = [
      ['127.0.0.1:9001', '@b'],
      ['127.0.0.1:9002', '@c'],
    ];
    const { env } = instanceEnv(topology, service, 1, { registry: '127.0.0.1:9002', proxy: '127.0.0.1:9001', serverSocket: '@a', linkSockets });
    expect(env.MICRO_DEV_SERVER_SOCKET).toBe('@a');
    expect(env.MICRO_DEV_SOCKETS).toBe('127.0.0.1:9001=@b,127.0.0.1:9002=@c');
  });

  it('sets neither otherwise (a container, another system, MICRO_DEV_UNIX_SOCKETS=0)', () => {
    const { env } = instanceEnv(topology, service, 1, { registry: '127.0.0.1:8500', proxy: '127.0.0.1:9001' });
    expect(env.MICRO_DEV_SERVER_SOCKET).toBeUndefined();
    expect(env.MICRO_DEV_SOCKETS).toBeUndefined();
  });
});
