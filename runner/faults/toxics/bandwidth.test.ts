import { describe, expect, it } from 'vitest';
import { linkFixture, waitUntil } from '../testing/link-fixture.ts';

describe('bandwidth toxic', () => {
  it('limits one direction to rate KB/s', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    f.plane.addToxic('echo', { type: 'bandwidth', attributes: { rate: 100 } });
    const payload = Buffer.alloc(30_000, 7);
    const sent = performance.now();
    client.socket.write(payload);
    const got = await client.waitForBytes(payload.length);
    // 30 000 B at 100 000 B/s is 300 ms; allow timer slack below.
    expect(performance.now() - sent).toBeGreaterThanOrEqual(250);
    expect(got.equals(payload)).toBe(true);
  });

  it('pushes back on the sender instead of holding an unbounded backlog', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    f.plane.addToxic('echo', { type: 'bandwidth', stream: 'upstream', attributes: { rate: 2_000 } });
    const total = 6 * 1024 * 1024;
    client.socket.write(Buffer.alloc(total, 1));
    await waitUntil(() => f.echoed() >= 1024 * 1024, 'a first MiB through the limited link');
    // Held in the link = read from the client but not yet at the server; capped near 1 MiB (+ one read).
    expect(f.link.stats().bytesUp - f.echoed()).toBeLessThan(2 * 1024 * 1024);
    f.plane.removeToxic('echo', 'bandwidth_upstream');
    await client.waitForBytes(total, 10_000);
  });
});
