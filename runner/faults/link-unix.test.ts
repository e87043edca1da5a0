/**
 * A link with Unix sockets beside TCP (services/kit/unix-socket.ts): callers told of the link's socket reach
 * the same link (same toxics, refused when it is disabled), and a link told of its upstream's socket dials
 * it instead of the port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { unixSocketPath } from '../../services/kit/unix-socket.ts';
import { FaultPlane } from './fault-plane.ts';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const socketName = () => `@link-unix-test-${process.pid}-${Math.random().toString(36).slice(2)}`;

/** An upstream on a port and on a Unix socket, answering with which one a request came in on. */
async function upstream(): Promise<{ address: string; socket: string }> {
  const server = http.createServer((req, res) => res.end(req.socket.remoteAddress === undefined ? 'unix' : 'tcp'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const socket = socketName();
  const unix = http.createServer((req, res) => res.end(req.socket.remoteAddress === undefined ? 'unix' : 'tcp'));
  await new Promise<void>((r) => unix.listen(unixSocketPath(socket), r));
  closers.push(async () => {
    server.closeAllConnections();
    unix.closeAllConnections();
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => unix.close(r))]);
  });
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, socket };
}

function get(target: { port: number } | { socketPath: string }): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ ...('port' in target ? { host: '127.0.0.1', port: target.port } : { socketPath: target.socketPath }), agent: false, path: '/' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function plane(): Promise<FaultPlane> {
  const p = new FaultPlane();
  closers.push(() => p.close());
  return p;
}

describe.runIf(process.platform === 'linux')('Link on Unix sockets', () => {
  it('a caller on the link\'s socket goes through the same link: its toxics apply, and disabled it is refused', async () => {
    const up = await upstream();
    const p = await plane();
    const name = socketName();
    const link = await p.createLink({ name: 'srv/proxy', upstream: up.address, unix: name });
    expect(link.unix).toBe(name);
    const viaSocket = { socketPath: unixSocketPath(name) };
    expect(await get(viaSocket)).toMatchObject({ status: 200, body: 'tcp' });
    expect(await get({ port: link.port })).toMatchObject({ status: 200, body: 'tcp' });
    expect(link.stats().accepted).toBe(2);

    p.addToxic('srv/proxy', { type: 'latency', name: 'slow', stream: 'downstream', attributes: { latency: 200, jitter: 0 } });
    expect((await get(viaSocket)).ms).toBeGreaterThanOrEqual(190);
    p.removeToxic('srv/proxy', 'slow');

    await link.setEnabled(false);
    await expect(get(viaSocket)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await link.setEnabled(true);
    expect(await get(viaSocket)).toMatchObject({ status: 200, body: 'tcp' });
  });

  it('dials the upstream\'s socket once told of it, the port otherwise; the upstream still reads host:port', async () => {
    const up = await upstream();
    const p = await plane();
    const link = await p.createLink({ name: 'srv/inbound', upstream: up.address });
    expect(await get({ port: link.port })).toMatchObject({ body: 'tcp' });
    link.setUpstream(up.address, up.socket);
    expect(link.upstream).toBe(up.address);
    expect(link.upstreamUnix).toBe(up.socket);
    expect(await get({ port: link.port })).toMatchObject({ body: 'unix' });
    link.setUpstream(up.address);
    expect(link.upstreamUnix).toBeUndefined();
    expect(await get({ port: link.port })).toMatchObject({ body: 'tcp' });
  });

  it('an upstream socket nobody serves fails the caller as a refused port does', async () => {
    const up = await upstream();
    const p = await plane();
    const link = await p.createLink({ name: 'gone/inbound', upstream: up.address });
    link.setUpstream(up.address, socketName());
    await expect(get({ port: link.port })).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});

describe.runIf(process.platform === 'linux')('Link on a Unix socket that is taken', () => {
  it('fails to open, naming the link and the socket, and is not added to the plane', async () => {
    const p = await plane();
    const name = socketName();
    await p.createLink({ name: 'first/proxy', upstream: '127.0.0.1:1', unix: name });
    await expect(p.createLink({ name: 'second/proxy', upstream: '127.0.0.1:1', unix: name })).rejects.toThrow(
      `link second/proxy: cannot listen on unix socket ${name}: address already in use`,
    );
    expect(p.link('second/proxy')).toBeUndefined();
  });
});
