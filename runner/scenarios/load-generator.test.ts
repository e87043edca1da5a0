import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadGenerator } from './load-generator.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function until(check: () => boolean, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('LoadGenerator', () => {
  it('sends at the rate until maxRequests, records ok / failed with a reason, keeps connections alive', async () => {
    const sockets = new Set<unknown>();
    let n = 0;
    const origin = await serve((req, res) => {
      sockets.add(req.socket);
      n++;
      if (n % 4 === 0) res.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"busy"}');
      else res.end('ok');
    });
    const load = new LoadGenerator({ name: 'l', origin, path: '/x', rate: 400, concurrency: 4, timeoutMs: 1000 }, { t0: performance.now(), maxRequests: 40 });
    await until(() => load.records.length + load.skipped >= 40);
    await load.stop();
    expect(load.records.length + load.skipped).toBe(40);
    expect(load.records.filter((r) => !r.ok).every((r) => r.status === 503 && r.error === 'HTTP 503 {"detail":"busy"}')).toBe(true);
    expect(load.records.filter((r) => !r.ok).length).toBeGreaterThan(0);
    expect(sockets.size).toBeLessThanOrEqual(4);
  });

  it('counts sends over the concurrency cap as skipped, not failed, and times out slow answers', async () => {
    const origin = await serve(() => undefined); // never answers
    const load = new LoadGenerator({ name: 'l', origin, path: '/', rate: 200, concurrency: 2, timeoutMs: 150 }, { t0: performance.now(), maxRequests: 10 });
    await until(() => load.records.length >= 2 && load.records.length + load.skipped >= 10);
    await load.stop();
    expect(load.skipped).toBeGreaterThan(0);
    expect(load.records.every((r) => !r.ok && r.error === 'TimeoutError')).toBe(true);
  });

  it('refuses anything but 127.0.0.1', () => {
    expect(() => new LoadGenerator({ name: 'l', origin: 'http://10.0.0.1:80', path: '/', rate: 1, concurrency: 1, timeoutMs: 10 }, { t0: 0 })).toThrow(
      'load l: http://10.0.0.1:80 is not on 127.0.0.1 (load only goes to this machine)',
    );
  });
});
