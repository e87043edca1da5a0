import { describe, expect, it } from 'vitest';
import { linkFixture } from '../testing/link-fixture.ts';

describe('limit_data toxic', () => {
  it('passes exactly `bytes` bytes, then closes the connection', async () => {
    await using f = await linkFixture();
    const client = await f.connect();
    f.plane.addToxic('echo', { type: 'limit_data', attributes: { bytes: 10 } });
    client.socket.write('0123456789abcdefghij');
    await client.closed;
    expect(client.received().toString()).toBe('0123456789');
  });
});
