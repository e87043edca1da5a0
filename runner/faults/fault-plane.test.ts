import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import type { FaultEvent } from './fault-plane.ts';
import { FaultPlane } from './fault-plane.ts';
import { seededRandom } from './seeded-random.ts';
import { connectClient, linkFixture, waitUntil } from './testing/link-fixture.ts';

async function replyServer(reply: string): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', () => s.write(reply));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

describe('FaultPlane and Link', () => {
  it('passes bytes both ways without toxics and counts them', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    client.socket.write('hello');
    expect((await client.waitForBytes(5)).toString()).toBe('hello');
    expect(f.link.stats()).toEqual({ connections: 1, accepted: 1, bytesUp: 5, bytesDown: 5 });
    expect(f.link.listen).toBe(`127.0.0.1:${f.link.port}`);
  });

  it('applies a toxic to a live connection before addToxic returns', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    client.socket.write('a');
    await client.waitForBytes(1);
    // The very next byte read on the live connection must meet the toxic.
    f.plane.addToxic('echo', { type: 'timeout', stream: 'upstream' });
    client.socket.write('b');
    await waitUntil(() => f.link.stats().bytesUp === 2, 'the byte to reach the link');
    expect(f.echoed()).toBe(1);
    f.plane.removeToxic('echo', 'timeout_upstream');
    expect((await client.waitForBytes(2)).toString()).toBe('ab');
  });

  it('keeps a byte stream intact and in order while toxics come and go on the live connection', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    const sent: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const chunk = Buffer.from(`<${i}>`);
      sent.push(chunk);
      client.socket.write(chunk);
      if (i % 50 === 10) f.plane.addToxic('echo', { name: 'lag', type: 'latency', attributes: { latency: 20, jitter: 10 } });
      if (i % 50 === 30) f.plane.addToxic('echo', { name: 'cut', type: 'slicer', stream: 'upstream', attributes: { average_size: 3 } });
      if (i % 50 === 40) f.plane.removeToxic('echo', 'lag');
      if (i % 50 === 45) f.plane.removeToxic('echo', 'cut');
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    const expected = Buffer.concat(sent);
    expect((await client.waitForBytes(expected.length)).toString()).toBe(expected.toString());
  });

  it('closes the client when the upstream refuses the connection', async () => {
    const plane = new FaultPlane();
    try {
      const link = await plane.createLink({ name: 'dead', upstream: '127.0.0.1:1' });
      const client = await connectClient(link.port);
      await client.closed;
      await waitUntil(() => link.stats().connections === 0, 'the link to forget the connection');
    } finally {
      await plane.close();
    }
  });

  it('expires a toxic after durationMs on the injected clock and reports it', async () => {
    const clock = new ManualClock();
    const plane = new FaultPlane({ clock, random: seededRandom(1) });
    const events: FaultEvent[] = [];
    const unsubscribe = plane.subscribe((e) => events.push(e));
    await plane.createLink({ name: 'l', upstream: '127.0.0.1:9' });
    const toxic = plane.addToxic('l', { type: 'latency', attributes: { latency: 5 }, durationMs: 1_000 });
    expect(toxic.expiresAt).toBe(1_000);
    expect(plane.link('l')!.toxics()).toHaveLength(1);
    clock.advance(999);
    expect(plane.link('l')!.toxics()).toHaveLength(1);
    clock.advance(1);
    expect(plane.link('l')!.toxics()).toHaveLength(0);
    expect(events.map((e) => e.type)).toEqual(['link-created', 'toxic-added', 'toxic-expired']);

    plane.addToxic('l', { type: 'down', durationMs: 50 });
    plane.removeToxic('l', 'down_downstream');
    expect(clock.pending).toBe(0);
    unsubscribe();
    await plane.close();
  });

  it('rejects duplicate names, unknown links and bad specs with errors that name them', async () => {
    await using f = await linkFixture();
    f.plane.addToxic('echo', { type: 'latency' });
    expect(() => f.plane.addToxic('echo', { type: 'latency' })).toThrow(/toxic latency_downstream already exists on link echo/);
    expect(() => f.plane.addToxic('nope', { type: 'down' })).toThrow(/link nope not found \(known links: echo\)/);
    expect(() => f.plane.addToxic('echo', { type: 'latency', name: 'x', toxicity: 2 })).toThrow(MicroDevError);
    expect(() => f.plane.addToxic('echo', { type: 'latency', name: 'y', attributes: { latency: -1 } })).toThrow(/latency .* >= 0/);
    await expect(f.plane.createLink({ name: 'echo', upstream: '127.0.0.1:1' })).rejects.toThrow(/link echo already exists/);
    await expect(f.plane.createLink({ name: 'bad', upstream: 'nowhere' })).rejects.toThrow(/"nowhere" is not host:port/);
  });

  it('sends new connections to a changed upstream while live ones keep theirs', async () => {
    const a = await replyServer('A');
    const b = await replyServer('B');
    const plane = new FaultPlane();
    try {
      const link = await plane.createLink({ name: 'late', upstream: `127.0.0.1:${a.port}` });
      const first = await connectClient(link.port);
      first.socket.write('?');
      expect((await first.waitForBytes(1)).toString()).toBe('A');
      link.setUpstream(`127.0.0.1:${b.port}`);
      const second = await connectClient(link.port);
      second.socket.write('?');
      first.socket.write('?');
      expect((await second.waitForBytes(1)).toString()).toBe('B');
      expect((await first.waitForBytes(2)).toString()).toBe('AA');
      first.socket.destroy();
      second.socket.destroy();
    } finally {
      await plane.close();
      await a.close();
      await b.close();
    }
  });

  it('accepts a link whose upstream is known late (127.0.0.1:0 until setUpstream)', async () => {
    const server = await replyServer('R');
    const plane = new FaultPlane();
    try {
      const link = await plane.createLink({ name: 'registry', upstream: '127.0.0.1:0' });
      await (await connectClient(link.port)).closed;
      link.setUpstream(`127.0.0.1:${server.port}`);
      const client = await connectClient(link.port);
      client.socket.write('?');
      expect((await client.waitForBytes(1)).toString()).toBe('R');
      client.socket.destroy();
    } finally {
      await plane.close();
      await server.close();
    }
  });

  it('a disabled link closes its connections and refuses new ones; reset enables it and drops toxics', async () => {
    await using f = await linkFixture();
    const events: string[] = [];
    f.plane.subscribe((e) => events.push(e.type));
    const client = await f.connect();
    f.plane.addToxic('echo', { type: 'latency', attributes: { latency: 1 } });
    await f.plane.setEnabled('echo', false);
    await client.closed;
    await expect(connectClient(f.link.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await f.plane.reset();
    expect(f.link.enabled).toBe(true);
    expect(f.link.toxics()).toEqual([]);
    const again = await f.connect();
    again.socket.write('up');
    expect((await again.waitForBytes(2)).toString()).toBe('up');
    expect(events).toEqual(['toxic-added', 'link-disabled', 'toxic-removed', 'link-enabled']);
  });

  it('draws toxicity per HTTP/1.1 request on one keep-alive connection', async () => {
    const backend = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    const plane = new FaultPlane({ random: seededRandom(42) });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const link = await plane.createLink({ name: 'api', upstream: `127.0.0.1:${(backend.address() as net.AddressInfo).port}` });
      plane.addToxic('api', { type: 'latency', toxicity: 0.5, attributes: { latency: 150 } });
      const slow: boolean[] = [];
      for (let i = 0; i < 10; i++) {
        const start = performance.now();
        await new Promise<void>((resolve, reject) => {
          http
            .get({ host: '127.0.0.1', port: link.port, path: `/${i}`, agent }, (res) => {
              res.resume();
              res.on('end', resolve);
            })
            .on('error', reject);
        });
        slow.push(performance.now() - start >= 150);
      }
      // One connection carried every request, yet only some of them were delayed.
      expect(link.stats().accepted).toBe(1);
      expect(slow.filter(Boolean).length).toBeGreaterThan(0);
      expect(slow.filter((s) => !s).length).toBeGreaterThan(0);
    } finally {
      agent.destroy();
      await plane.close();
      backend.closeAllConnections();
      await new Promise<void>((r) => backend.close(() => r()));
    }
  });
});
