import { describe, expect, it } from 'vitest';
import { linkFixture } from '../testing/link-fixture.ts';

describe('slow_close toxic', () => {
  it('delays the FIN by delay ms but not the data', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    f.plane.addToxic('echo', { type: 'slow_close', attributes: { delay: 80 } });
    client.socket.write('data');
    await client.waitForBytes(4);
    const closing = performance.now();
    client.socket.end();
    expect((await client.ended) - closing).toBeGreaterThanOrEqual(70);
    expect(client.received().toString()).toBe('data');
  });
});
