/**
 * PeerNode against a real node:http "peer" on port 0: what goes on the wire (path, replication header, one
 * batch for the writes of one batching delay, coalescing), per-item failures, retries after a network
 * error, and tasks dropped once older than maxTimeForReplication.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../clock/clock.ts';
import { DEFAULT_PEER_NODE_OPTIONS, PeerNode, type PeerNodeOptions } from './peer-node.ts';
import type { ReplicationItem } from './replication-protocol.ts';

interface Seen {
  path: string;
  header: string | undefined;
  items: ReplicationItem[];
}

let server: Server | undefined;
let node: PeerNode | undefined;
afterEach(async () => {
  node?.stop();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = node = undefined;
});

/** A peer that answers each item with `status(item)`; `drop(n)` destroys the n-th request's socket instead. */
async function peer(status: (item: ReplicationItem) => number, drop: (n: number) => boolean = () => false): Promise<{ address: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  let n = 0;
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (drop(++n)) return req.socket.destroy();
      const items = (JSON.parse(Buffer.concat(chunks).toString()) as { replicationList: ReplicationItem[] }).replicationList;
      seen.push({ path: req.url ?? '', header: req.headers['x-netflix-discovery-replication'] as string | undefined, items });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ responseList: items.map((i) => ({ statusCode: status(i) })) }));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const options = (o: Partial<PeerNodeOptions> = {}): PeerNodeOptions => ({ ...DEFAULT_PEER_NODE_OPTIONS, maxBatchingDelayMs: 30, networkFailureRetryMs: 20, minRetryWallMs: 5, timeScale: 1, ...o });
const item = (id: string, action: ReplicationItem['action'] = 'Heartbeat'): ReplicationItem => ({ appName: 'APP', id, action, status: 'UP', lastDirtyTimestamp: 1 });

async function until(probe: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!probe()) {
    if (performance.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('PeerNode', () => {
  it('sends the writes of one batching delay as one batch, marked as replication, newer tasks replacing older ones', async () => {
    const p = await peer(() => 200);
    node = new PeerNode('peer-2', p.address, new SystemClock(), options(), () => undefined);
    node.submit(item('a'));
    node.submit(item('b'));
    node.submit(item('a', 'Register'));
    node.submit({ ...item('b'), status: 'DOWN' });
    await until(() => node!.stats.replicated === 3, 'three items replicated');
    expect(p.seen).toHaveLength(1);
    expect(p.seen[0].path).toBe('/eureka/v2/peerreplication/batch/');
    expect(p.seen[0].header).toBe('true');
    expect(p.seen[0].items.map((i) => `${i.action}:${i.id}:${i.status}`).sort()).toEqual(['Heartbeat:a:UP', 'Heartbeat:b:DOWN', 'Register:a:UP']);
  });

  it('hands each item the peer refused to the failure handler (a 404 Heartbeat asks for a Register)', async () => {
    const p = await peer((i) => (i.id === 'gone' ? 404 : 200));
    const failures: string[] = [];
    node = new PeerNode('peer-2', p.address, new SystemClock(), options(), (i, status) => failures.push(`${i.action}:${i.id}:${status}`));
    node.submit(item('gone'));
    node.submit(item('here'));
    await until(() => failures.length === 1 && node!.stats.replicated === 1, 'one failure, one replicated');
    expect(failures).toEqual(['Heartbeat:gone:404']);
    expect(node.stats.failed).toBe(1);
  });

  it('sends the same batch again after a network error', async () => {
    const p = await peer(() => 200, (n) => n <= 2);
    node = new PeerNode('peer-2', p.address, new SystemClock(), options(), () => undefined);
    node.submit(item('a'));
    node.submit(item('b'));
    await until(() => node!.stats.replicated === 2, 'replicated after the retries');
    // Two dropped connections (a slow answer past the read timeout would count too, and be sent again).
    expect(node.stats.networkErrors).toBeGreaterThanOrEqual(2);
    expect(p.seen.length).toBeGreaterThanOrEqual(1);
    for (const s of p.seen) expect(s.items.map((i) => i.id).sort()).toEqual(['a', 'b']);
  });

  it('drops tasks older than maxTimeForReplication instead of sending them (best effort)', async () => {
    const p = await peer(() => 200, () => true);
    node = new PeerNode('peer-2', p.address, new SystemClock(), options({ maxTimeForReplicationMs: 150 }), () => undefined);
    node.submit(item('a'));
    await until(() => node!.stats.expired === 1, 'the task expired');
    expect(node.pending).toBe(0);
    expect(node.stats.networkErrors).toBeGreaterThan(0);
    expect(p.seen).toEqual([]);
  });
});
