import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { assertPortFree } from './assert-port-free.ts';
import { findFreePort } from './find-free-port.ts';
import { findPortOwner, listeningInodes } from './find-port-owner.ts';

const servers: Server[] = [];

function listen(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    servers.push(server);
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('assertPortFree', () => {
  it('resolves for a free port and for port 0', async () => {
    const port = await findFreePort('127.0.0.1');
    expect(port).toBeGreaterThan(0);
    await assertPortFree('127.0.0.1', port, 'gateway');
    await assertPortFree('127.0.0.1', 0, 'gateway');
  });

  it('names the port, the role and the owning pid (ours) when taken', async () => {
    const port = await listen('127.0.0.1');
    const error = await assertPortFree('127.0.0.1', port, 'gateway').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MicroDevError);
    const e = error as MicroDevError;
    expect(e.code).toBe('PORT_IN_USE');
    expect(e.message).toMatch(new RegExp(`^port ${port} \\(gateway\\) is already in use by pid ${process.pid} \\(.+\\)$`));
    expect(e.hints[0]).toBe('change gateway.port in micro.dev.yaml');
    expect(e.hints[1]).toBe(`or stop the process holding it: kill ${process.pid}`);
  });

  it('sees a wildcard listener as a conflict for 127.0.0.1', async () => {
    const port = await listen('0.0.0.0');
    await expect(assertPortFree('127.0.0.1', port, 'registry')).rejects.toThrow(/port \d+ \(registry\) is already in use/);
  });

  it('takes custom hints', async () => {
    const port = await listen('127.0.0.1');
    const e = (await assertPortFree('127.0.0.1', port, 'greeter-srv-1', {
      hints: ['change services.greeter-srv.port in micro.dev.yaml'],
    }).catch((x: unknown) => x)) as MicroDevError;
    expect(e.hints[0]).toBe('change services.greeter-srv.port in micro.dev.yaml');
  });
});

describe('findPortOwner', () => {
  it('finds our own pid for a socket we listen on, and nothing for a free port', async () => {
    const port = await listen('127.0.0.1');
    expect((await findPortOwner(port))?.pid).toBe(process.pid);
    expect(await findPortOwner(await findFreePort())).toBeUndefined();
  });

  it('parses only LISTEN rows of /proc/net/tcp', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0',
      '   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0',
      '   2: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4444 1 0',
    ].join('\n');
    expect(listeningInodes(table, 8080)).toEqual(['4242']);
  });
});
