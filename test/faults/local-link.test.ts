/**
 * The gateway's and proxy's way into a link: the kit's HttpPool dialing FaultPlane.openLocal, an in-memory
 * connection the link accepts like a TCP client. Everything a link does to TCP clients must hold for it:
 * toxics on live connections, reset, a disabled link refusing, keep-alive reuse, and an instance closing
 * its idle keep-alive connection.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultPlane } from '../../runner/faults/fault-plane.ts';
import type { Link } from '../../runner/faults/link.ts';
import { seededRandom } from '../../runner/faults/seeded-random.ts';
import { HttpPool } from '../../services/kit/http-pool.ts';

describe('a link dialed in process (FaultPlane.openLocal)', () => {
  let upstream: http.Server;
  let plane: FaultPlane;
  let link: Link;
  let pool: HttpPool;
  let opened: number;

  const get = (path = '/') => pool.request({ origin: `http://127.0.0.1:${link.port}`, path, method: 'GET' });

  beforeEach(async () => {
    upstream = http.createServer((req, res) => res.end(`hello ${req.url}`));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    plane = new FaultPlane({ random: seededRandom(7) });
    link = await plane.createLink({ name: 'srv-1/inbound', upstream: `127.0.0.1:${(upstream.address() as AddressInfo).port}` });
    opened = 0;
    pool = new HttpPool({
      keepAliveMs: 4_000,
      connectTimeoutMs: 2_000,
      connect: (host, port) => {
        const local = plane.openLocal(host, port);
        if (local) opened++;
        return local;
      },
    });
  });

  afterEach(async () => {
    await pool.close();
    await plane.close();
    upstream.closeAllConnections();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  it('carries requests over one kept-alive in-memory connection, counted by the link', async () => {
    expect((await get('/a')).body.toString()).toBe('hello /a');
    expect((await get('/b')).body.toString()).toBe('hello /b');
    expect(opened).toBe(1);
    const stats = link.stats();
    expect(stats.accepted).toBe(1);
    expect(stats.connections).toBe(1);
    expect(stats.bytesUp).toBeGreaterThan(0);
    expect(stats.bytesDown).toBeGreaterThan(0);
  });

  it('applies a toxic added while the connection is live to the next request', async () => {
    await get();
    plane.addToxic('srv-1/inbound', { type: 'latency', stream: 'downstream', attributes: { latency: 300 } });
    const started = performance.now();
    await get();
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(opened).toBe(1);
  });

  it('fails a request with ECONNRESET when a reset_peer toxic fires, as a TCP client sees it', async () => {
    await get();
    plane.addToxic('srv-1/inbound', { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
    await expect(get()).rejects.toMatchObject({ code: 'ECONNRESET' });
    await waitFor(() => link.stats().connections === 0);
  });

  it('refuses while the link is disabled (the pool dials TCP and is refused) and serves again once enabled', async () => {
    await get();
    await plane.setEnabled('srv-1/inbound', false);
    await expect(get()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await plane.setEnabled('srv-1/inbound', true);
    expect((await get('/again')).body.toString()).toBe('hello /again');
    expect(opened).toBe(2);
  });

  it('drops a connection the instance closed while idle, and the next request still succeeds', async () => {
    upstream.keepAliveTimeout = 100;
    await get();
    // the instance's keep-alive timeout closes the upstream socket; the link ends the in-memory connection
    await waitFor(() => link.stats().connections === 0);
    expect((await get('/after-idle')).body.toString()).toBe('hello /after-idle');
    expect(opened).toBe(2);
  });

  it('closes a pooled connection that sat idle past the pool keep-alive, and its link connection with it', async () => {
    await pool.close();
    pool = new HttpPool({ keepAliveMs: 150, connectTimeoutMs: 2_000, connect: (host, port) => plane.openLocal(host, port) });
    await get();
    expect(link.stats().connections).toBe(1);
    await waitFor(() => link.stats().connections === 0);
  });

  it('dials TCP for an address no link listens on', async () => {
    const direct = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    expect((await pool.request({ origin: direct, path: '/direct', method: 'GET' })).body.toString()).toBe('hello /direct');
    expect(opened).toBe(0);
    expect(link.stats().accepted).toBe(0);
  });
});

describe('a link to a server of this process (FaultPlane.serveInProcess)', () => {
  it('hands the connection to the server in memory, and dials TCP (refused) once the server is gone', async () => {
    const kinds: string[] = [];
    const server = http.createServer((req, res) => res.end(`in process ${req.url}`));
    server.on('connection', (socket) => kinds.push(socket instanceof net.Socket ? 'tcp' : 'memory'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const plane = new FaultPlane();
    let serving = true;
    plane.serveInProcess(port, (socket) => serving && (server.emit('connection', socket), true));
    const link = await plane.createLink({ name: 'api-1/proxy', upstream: `127.0.0.1:${port}` });
    // an instance's client: a real TCP connection into the link
    const pool = new HttpPool({ keepAliveMs: 4_000, connectTimeoutMs: 2_000 });
    try {
      const origin = `http://127.0.0.1:${link.port}`;
      expect((await pool.request({ origin, path: '/x', method: 'GET' })).body.toString()).toBe('in process /x');
      expect((await pool.request({ origin, path: '/y', method: 'GET' })).body.toString()).toBe('in process /y');
      expect(kinds).toEqual(['memory']);
      // the server's keep-alive timeout closes the in-memory connection as it closes a socket
      server.keepAliveTimeout = 100;
      await pool.request({ origin, path: '/z', method: 'GET' });
      await waitFor(() => link.stats().connections === 0);

      serving = false;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await expect(pool.request({ origin, path: '/gone', method: 'GET' })).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|ECONNREFUSED/) });
      expect(kinds).toEqual(['memory']);
    } finally {
      await pool.close();
      await plane.close();
      server.close();
    }
  });
});

async function waitFor(condition: () => boolean, deadlineMs = 3_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
