import { describe, expect, it } from 'vitest';
import { linkFixture } from '../testing/link-fixture.ts';

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
});
