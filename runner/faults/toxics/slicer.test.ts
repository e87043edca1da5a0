import { describe, expect, it } from 'vitest';
import { linkFixture } from '../testing/link-fixture.ts';

describe('slicer toxic', () => {
  it('cuts a write into several pieces delivered intact and in order', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    f.plane.addToxic('echo', { type: 'slicer', attributes: { average_size: 20, size_variation: 5, delay: 2_000 } });
    const payload = Buffer.from('abcdefghijklmnopqrstuvwxyz'.repeat(8));
    client.socket.write(payload);
    const got = await client.waitForBytes(payload.length);
    expect(got.equals(payload)).toBe(true);
    // 208 bytes in ~20-byte slices 2 ms apart cannot all coalesce into one read.
    expect(client.chunks).toBeGreaterThan(2);
  });
});
