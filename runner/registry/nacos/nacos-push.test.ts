import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { NacosPush, type Subscription } from './nacos-push.ts';

const sub: Subscription = { name: 'svc', namespace: 'public', group: 'DEFAULT_GROUP', service: 'svc', clusters: '' };

async function receiver(ack: boolean): Promise<{ sock: Socket; got: number[] }> {
  const sock = createSocket('udp4');
  const got: number[] = [];
  sock.on('message', (msg, rinfo) => {
    const p = JSON.parse(msg.toString()) as { lastRefTime: number };
    got.push(p.lastRefTime);
    if (ack) sock.send(JSON.stringify({ type: 'push-ack', lastRefTime: p.lastRefTime, data: '' }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { sock, got };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within 5s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('NacosPush', () => {
  const open: { close(): void }[] = [];
  afterEach(() => {
    for (const o of open.splice(0)) o.close();
  });

  it('retransmits an unacknowledged push once, with the same lastRefTime', async () => {
    const push = new NacosPush(() => '{"hosts":[]}', { ackTimeoutMs: 50 });
    const { sock, got } = await receiver(false);
    open.push(push, sock);
    push.subscribe(sub, '127.0.0.1', sock.address().port);
    push.changed('svc');
    await until(() => got.length === 2 && push.pendingAcks === 0, 'one retransmission, then nothing pending');
    expect(got[1]).toBe(got[0]);
    expect(push.sent).toBe(2);
  });

  it('an ack settles the push: nothing pending, no retransmission', async () => {
    const push = new NacosPush(() => '{"hosts":[]}', { ackTimeoutMs: 50 });
    const { sock, got } = await receiver(true);
    open.push(push, sock);
    push.subscribe(sub, '::ffff:127.0.0.1', sock.address().port);
    push.changed('svc');
    push.changed('other');
    await until(() => push.acked === 1, 'the ack arrives');
    expect(push.pendingAcks).toBe(0);
    expect([got.length, push.sent]).toEqual([1, 1]);
  });
});
