import { describe, expect, it } from 'vitest';
import { linkFixture, waitUntil } from '../testing/link-fixture.ts';

describe('down toxic', () => {
  it('swallows bytes while the connection stays open, and lets new bytes through once removed', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    f.plane.addToxic('echo', { type: 'down' });
    client.socket.write('lost');
    await waitUntil(() => f.link.stats().bytesDown >= 4, 'the echo to reach the link');
    expect(client.received().length).toBe(0);
    expect(client.socket.destroyed).toBe(false);

    f.plane.removeToxic('echo', 'down_downstream');
    client.socket.write('back');
    expect((await client.waitForBytes(4)).toString()).toBe('back');
  });

  it('holds the FIN and passes it on when the partition heals', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    f.plane.addToxic('echo', { type: 'down' });
    client.socket.end();
    await waitUntil(() => f.echoOpen() === 0, 'the echo side to close');
    let ended = false;
    void client.ended.then(() => (ended = true));
    await new Promise((r) => setImmediate(r));
    expect(ended).toBe(false);
    f.plane.removeToxic('echo', 'down_downstream');
    await client.ended;
  });
});
