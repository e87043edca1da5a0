import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { LeaderElection, lock } from '../../services/kit/leader.ts';
import { eventually } from '../registry/registry-harness.ts';

/** A TCP relay to the registry that can be blackholed (bytes vanish both ways, connections hang), like a `down` link. */
async function relay(target: string): Promise<{ address: string; cut: boolean; close(): Promise<void> }> {
  const [host, port] = target.split(':');
  const sockets = new Set<Socket>();
  const state = { cut: false };
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.on('data', (d) => !state.cut && upstream.write(d));
    upstream.on('data', (d) => !state.cut && client.write(d));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    address,
    get cut() {
      return state.cut;
    },
    set cut(v: boolean) {
      state.cut = v;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

// The kit's leader election on Consul sessions against the embedded registry at time_scale 0.05:
// TTL 10s -> 0.5 s wall (the registry keeps a session 2 x TTL = 1 s), lock-delay 5s -> 0.25 s.
describe('kit leader election (sessions + KV locks)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('elects exactly one of three; a partitioned leader steps down before anyone else is elected', async () => {
    const timeScale = 0.05;
    const registry: StartedRegistry = await startRegistry({ host: '127.0.0.1', port: 0, timeScale });
    cleanup.push(() => registry.stop());
    const beliefs: { at: number; name: string; leader: boolean }[] = [];
    const leaders = new Set<string>();
    let overlaps = 0;
    const candidates = await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const link = await relay(registry.address);
        cleanup.push(() => link.close());
        const election = new LeaderElection({
          key: 'service/demo/leader',
          registryAddress: link.address,
          name,
          ttl: '10s',
          lockDelay: '5s',
          timeScale,
          log: () => {},
          onChange: (leader) => {
            beliefs.push({ at: performance.now(), name, leader });
            if (leader) leaders.add(name);
            else leaders.delete(name);
            if (leaders.size > 1) overlaps++;
          },
        });
        cleanup.push(() => election.stop());
        return { name, link, election };
      }),
    );
    for (const c of candidates) c.election.start();
    const first = await eventually(() => candidates.find((c) => c.election.isLeader), 'a first leader', 5000);
    expect(candidates.filter((c) => c.election.isLeader)).toHaveLength(1);
    // The registry agrees: the key is locked by the leader's session, named after it.
    expect(registry.status().locks).toEqual([{ key: 'service/demo/leader', session: first.election.session, name: first.name, lockIndex: 1 }]);

    const cutAt = performance.now();
    first.link.cut = true;
    const stepDown = await eventually(() => beliefs.find((b) => b.name === first.name && !b.leader && b.at > cutAt), 'the old leader stepping down', 5000);
    const next = await eventually(() => beliefs.find((b) => b.name !== first.name && b.leader && b.at > cutAt), 'a new leader', 8000);
    // Steps down within TTL (0.5 s) of its last successful renew, which is at most a renew period before the cut.
    expect(stepDown.at - cutAt).toBeLessThan(500 + 500 / 3 + 250);
    // A new leader only after the registry let the session go (2 x TTL after its last renew) and the lock-delay.
    expect(next.at).toBeGreaterThan(stepDown.at);
    expect(next.at - cutAt).toBeGreaterThan(1000 + 250 - 500 / 3 - 50);
    expect(overlaps).toBe(0);

    // Healed: the old leader comes back as a follower; still one leader.
    first.link.cut = false;
    await eventually(() => first.election.session !== '' && !first.election.isLeader, 'the old leader rejoining as a follower', 5000);
    expect(candidates.filter((c) => c.election.isLeader).map((c) => c.name)).toEqual([next.name]);
    expect(overlaps).toBe(0);
  });

  it('a stopping leader releases at once (no lock-delay on release); lock() waits for unlock()', async () => {
    const registry = await startRegistry({ host: '127.0.0.1', port: 0, timeScale: 0.05 });
    cleanup.push(() => registry.stop());
    const opts = { registryAddress: registry.address, ttl: '10s', lockDelay: '15s', timeScale: 0.05, log: () => {} };
    const held = await lock('jobs/nightly', { ...opts, name: 'one' });
    let second = false;
    const waiting = lock('jobs/nightly', { ...opts, name: 'two' }).then((l) => {
      second = true;
      return l;
    });
    // The second is contending (its session exists) while the first holds the key.
    await eventually(async () => ((await (await fetch(`${registry.url}/v1/session/list`)).json()) as unknown[]).length === 2, 'both sessions');
    expect(second).toBe(false);
    expect(registry.status().locks!.map((l) => l.name)).toEqual(['one']);
    await held.unlock();
    const got = await waiting;
    expect(registry.status().locks!.map((l) => l.name)).toEqual(['two']);
    cleanup.push(() => got.unlock());
  });
});
