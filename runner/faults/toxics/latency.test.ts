import { describe, expect, it } from 'vitest';
import { linkFixture } from '../testing/link-fixture.ts';

describe('latency toxic', () => {
  it('delays a live connection by at least the configured ms, and flushes held bytes on removal', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    client.socket.write('warm');
    await client.waitForBytes(4);

    f.plane.addToxic('echo', { type: 'latency', attributes: { latency: 60, jitter: 10 } });
    const sent = performance.now();
    client.socket.write('ping');
    await client.waitForBytes(8);
    expect(performance.now() - sent).toBeGreaterThanOrEqual(50);

    f.plane.addToxic('echo', { name: 'slow', type: 'latency', stream: 'upstream', attributes: { latency: 5_000 } });
    client.socket.write('held');
    f.plane.removeToxic('echo', 'slow');
    f.plane.removeToxic('echo', 'latency_downstream');
    expect((await client.waitForBytes(12, 1_000)).toString()).toBe('warmpingheld');
  });
});
