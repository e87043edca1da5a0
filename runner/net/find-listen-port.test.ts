import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findListenPort } from './find-listen-port.ts';

describe('findListenPort', () => {
  afterEach(() => vi.restoreAllMocks());

  it('never hands out one port twice to picks running at once, even when they draw the same number', async () => {
    // Every pick draws the same number first: without a reservation taken before the probe, picks whose
    // probes run one after the other all find that port free and all return it.
    vi.spyOn(Math, 'random').mockReturnValue(0.123456);
    const ports = await Promise.all(Array.from({ length: 50 }, () => findListenPort('127.0.0.1')));
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('never hands out 10080, a port fetch and browsers refuse ("bad port")', async () => {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    // The first draw lands on 10080, the next ones elsewhere.
    const draws = [(80.5) / (start! - 10_000), 0.5];
    vi.spyOn(Math, 'random').mockImplementation(() => draws.shift() ?? 0.25);
    const port = await findListenPort('127.0.0.1');
    expect(port).not.toBe(10_080);
    expect(draws).toEqual([]);
    await expect(fetch('http://127.0.0.1:10080/')).rejects.toMatchObject({ cause: { message: 'bad port' } });
  });

  it('returns a port a server can then bind', async () => {
    const port = await findListenPort('127.0.0.1');
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
