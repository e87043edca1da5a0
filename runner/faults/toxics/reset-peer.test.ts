import { describe, expect, it } from 'vitest';
import { linkFixture } from '../testing/link-fixture.ts';

describe('reset_peer toxic', () => {
  it('resets a live connection at once when timeout is 0', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    client.socket.write('hi');
    await client.waitForBytes(2);
    f.plane.addToxic('echo', { type: 'reset_peer', attributes: { timeout: 0 } });
    expect((await client.closed).reset).toBe(true);
  });

  it('lets data flow until the timeout, then resets', async () => {
    await using f = await linkFixture();
    f.plane.addToxic('echo', { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 80 } });
    const client = await f.connect();
    const opened = performance.now();
    client.socket.write('before');
    await client.waitForBytes(6);
    const closed = await client.closed;
    expect(closed.reset).toBe(true);
    expect(closed.at - opened).toBeGreaterThanOrEqual(70);
  });
});
