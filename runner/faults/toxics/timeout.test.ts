import { describe, expect, it } from 'vitest';
import { linkFixture, waitUntil } from '../testing/link-fixture.ts';

describe('timeout toxic', () => {
  it('with timeout 0 holds data until removed, then delivers it in order', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    f.plane.addToxic('echo', { type: 'timeout', attributes: { timeout: 0 } });
    client.socket.write('one');
    client.socket.write('two');
    await waitUntil(() => f.link.stats().bytesDown >= 6, 'the echo to reach the link');
    expect(client.received().length).toBe(0);
    f.plane.removeToxic('echo', 'timeout_downstream');
    expect((await client.waitForBytes(6)).toString()).toBe('onetwo');
  });

  it('closes the connection after timeout ms without passing data', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    const added = performance.now();
    f.plane.addToxic('echo', { type: 'timeout', stream: 'upstream', attributes: { timeout: 60 } });
    client.socket.write('never');
    const closed = await client.closed;
    expect(closed.at - added).toBeGreaterThanOrEqual(50);
    expect(f.echoed()).toBe(0);
    expect(client.received().length).toBe(0);
  });
});
