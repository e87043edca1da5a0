/**
 * Eureka peers (registry.peers: 3): the real eureka-js-client registers on one peer and is fetched from
 * another; renew, cancel and status replicate; Consul-wire registrations (the `consul` npm client) replicate
 * too; a split through real fault-plane links lets both sides accept registrations, their views diverge, and
 * they converge after the heal (a replicated renew answered 404 brings a Register). timeScale 0.01.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Consul from 'consul';
import { Eureka } from 'eureka-js-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultPlane } from '../../runner/faults/fault-plane.ts';
import { startEurekaPeers, type PeerMember, type StartedEurekaPeers } from '../../runner/registry/peers/start-eureka-peers.ts';
import { REPLICATION_HEADER } from '../../runner/registry/peers/replication-protocol.ts';
import { startRegistry } from '../../runner/registry/start-registry.ts';
import { eventually } from '../registry/registry-harness.ts';

const SCALE = 0.01;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const cwd = mkdtempSync(join(tmpdir(), 'eureka-peers-'));
process.on('exit', () => rmSync(cwd, { recursive: true, force: true }));

let peers: StartedEurekaPeers | undefined;
let plane: FaultPlane | undefined;
const clients: Eureka[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) {
    clearInterval(c.heartbeat);
    clearInterval(c.registryFetch);
  }
  await peers?.stop();
  peers = undefined;
  await plane?.close();
  plane = undefined;
});

async function start(opts: { selfPreservation?: boolean; links?: boolean } = {}): Promise<PeerMember[]> {
  if (opts.links) plane = new FaultPlane();
  const p = plane;
  peers = await startEurekaPeers(
    {
      host: '127.0.0.1',
      port: 0,
      peers: 3,
      semantics: 'eureka',
      timeScale: SCALE,
      eureka: { doubleExpiryQuirk: true, selfPreservation: opts.selfPreservation ?? true, serve: true, port: 0 },
    },
    p ? { route: async (from, to, address) => (await p.createLink({ name: `registry/${from}/to-${to}`, upstream: address })).listen } : {},
  );
  return peers.members;
}

function client(m: PeerMember, app: string, port: number, opts: { register?: boolean } = {}): Eureka {
  const [host, p] = m.eurekaAddress.split(':');
  const c = new Eureka({
    cwd,
    logger: quiet,
    instance: {
      app,
      instanceId: `localhost:${app}:${port}`,
      hostName: 'localhost',
      ipAddr: '127.0.0.1',
      port: { $: port, '@enabled': 'true' },
      vipAddress: app,
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
    },
    eureka: {
      host,
      port: Number(p),
      servicePath: '/eureka/apps/',
      heartbeatInterval: 30_000 * SCALE,
      registryFetchInterval: 30_000 * SCALE,
      maxRetries: 0,
      registerWithEureka: opts.register ?? true,
    },
  });
  clients.push(c);
  return c;
}

const run = (c: Eureka) => new Promise<void>((resolve, reject) => c.start((err) => (err ? reject(err) : resolve())));
const halt = (c: Eureka) => new Promise<void>((resolve, reject) => c.stop((err) => (err ? reject(err) : resolve())));
const ids = (m: PeerMember) => m.registry.status().leases.map((l) => l.serviceId).sort();
const leaseOf = (m: PeerMember, id: string) => m.registry.status().leases.find((l) => l.serviceId === id);
const consulOf = (m: PeerMember) => new Consul({ host: '127.0.0.1', port: Number(m.registry.address.split(':')[1]) });

function split(members: PeerMember[], alone: PeerMember): void {
  for (const other of members) {
    if (other === alone) continue;
    for (const [a, b] of [[alone, other], [other, alone]]) {
      for (const stream of ['upstream', 'downstream'] as const) plane!.addToxic(`registry/${a.name}/to-${b.name}`, { type: 'down', name: `split-${stream}`, stream });
    }
  }
}

function heal(): void {
  for (const link of plane!.links()) for (const t of link.toxics()) plane!.removeToxic(link.name, t.name);
}

describe('Eureka peers with eureka-js-client 4.5.0', () => {
  it('registers on one peer and is fetched from another; renew, status and cancel replicate', async () => {
    const [a, b, c] = await start();
    const svc = client(a, 'jqservice', 8080);
    await run(svc);
    const id = 'eureka:JQSERVICE:localhost:jqservice:8080';
    await eventually(() => leaseOf(b, id) && leaseOf(c, id), 'the registration reaches both other peers');

    const watcher = client(c, 'watcher', 9, { register: false });
    await run(watcher);
    const seen = await eventually(async () => {
      await new Promise<void>((res) => watcher.fetchRegistry(() => res()));
      return watcher.getInstancesByAppId('JQSERVICE')[0];
    }, 'a client of another peer fetches the instance', 10_000);
    expect(seen).toMatchObject({ app: 'JQSERVICE', hostName: 'localhost', ipAddr: '127.0.0.1', status: 'UP', port: { $: 8080, '@enabled': 'true' } });

    // Renewals on peer a are replicated as Heartbeats (peer b renews its own lease of the instance).
    const before = b.peer.received.Heartbeat;
    await eventually(() => b.peer.received.Heartbeat >= before + 2 && leaseOf(b, id)?.lastHeartbeatAgoMs !== null, 'replicated renewals', 10_000);

    // A status override on one peer reaches the others.
    const res = await fetch(`http://${a.eurekaAddress}/eureka/apps/JQSERVICE/localhost:jqservice:8080/status?value=OUT_OF_SERVICE`, { method: 'PUT' });
    expect(res.status).toBe(200);
    await eventually(async () => {
      const r = await fetch(`http://${b.eurekaAddress}/eureka/v2/apps/JQSERVICE/localhost:jqservice:8080`, { headers: { accept: 'application/json' } });
      const body = (await r.json()) as { instance: { status: string } };
      return body.instance.status === 'OUT_OF_SERVICE';
    }, 'the override on peer b');

    await halt(svc);
    await eventually(() => !leaseOf(b, id) && !leaseOf(c, id), 'the cancel reaches both other peers');
    expect(a.peer.nodes.every((n) => n.stats.replicated > 0)).toBe(true);
  });

  it('replicates Consul-wire registrations (semantics eureka): register, TTL renew, deregister', async () => {
    const [a, b, c] = await start();
    const consul = consulOf(a);
    await consul.agent.service.register({ id: 'mdtest-1', name: 'mdtest', address: '127.0.0.1', port: 9000, tags: ['x'], check: { ttl: '90s' } } as never);
    await eventually(() => leaseOf(b, 'mdtest-1') && leaseOf(c, 'mdtest-1'), 'the registration on both peers');
    // Catalog reads come from Eureka's read-only response cache (30 s x 0.01).
    const onB = await eventually(async () => {
      const nodes = (await consulOf(b).catalog.service.nodes('mdtest')) as { ServiceID: string; ServiceTags: string[]; ServicePort: number }[];
      return nodes.length ? nodes : undefined;
    }, 'the Consul API of peer b lists it');
    expect(onB.map((n) => [n.ServiceID, n.ServiceTags, n.ServicePort])).toEqual([['mdtest-1', ['x'], 9000]]);
    await consul.agent.check.pass('service:mdtest-1');
    await eventually(() => leaseOf(c, 'mdtest-1')?.lastHeartbeatAgoMs !== null, 'the TTL pass renews the lease on peer c');
    await consul.agent.service.deregister('mdtest-1');
    await eventually(() => !leaseOf(b, 'mdtest-1') && !leaseOf(c, 'mdtest-1'), 'the deregistration on both peers');
  });

  it('takes a batch in Eureka format and answers item by item; a standalone server has no batch route', async () => {
    const [a] = await start();
    const body = {
      replicationList: [
        { appName: 'NOPE', id: 'x', action: 'Heartbeat', status: 'UP', lastDirtyTimestamp: 1 },
        { appName: 'NOPE', id: 'x', action: 'Cancel' },
      ],
    };
    const res = await fetch(`http://${a.eurekaAddress}/eureka/v2/peerreplication/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', [REPLICATION_HEADER]: 'true' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ responseList: [{ statusCode: 404 }, { statusCode: 404 }] });
    const bad = await fetch(`http://${a.eurekaAddress}/eureka/v2/peerreplication/batch/`, { method: 'POST', body: '{"list":1}' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Malformed replication batch');

    const alone = await startRegistry({ host: '127.0.0.1', port: 0, eureka: { doubleExpiryQuirk: true, selfPreservation: true, serve: true, port: 0 } });
    try {
      const r = await fetch(`${alone.eurekaUrl}peerreplication/batch/`, { method: 'POST', body: JSON.stringify(body) });
      expect(r.status).toBe(404);
    } finally {
      await alone.stop();
    }
  });

  it('split: both sides accept registrations, views diverge, and converge after the heal', async () => {
    const members = await start({ links: true });
    const [a, b, c] = members;
    const first = client(a, 'before', 8081);
    await run(first);
    await eventually(() => members.every((m) => leaseOf(m, 'eureka:BEFORE:localhost:before:8081')), 'registered everywhere before the split');

    split(members, c);
    const onMajority = client(a, 'major', 8082);
    const onMinority = client(c, 'minor', 8083);
    await run(onMajority);
    await run(onMinority);
    const major = 'eureka:MAJOR:localhost:major:8082';
    const minor = 'eureka:MINOR:localhost:minor:8083';
    await eventually(() => leaseOf(b, major), 'the majority replicates among itself');
    // Diverged: each side sees its own registration and not the other's, for several renew rounds.
    for (let i = 0; i < 5; i++) {
      expect(leaseOf(c, major)).toBeUndefined();
      expect(leaseOf(a, minor)).toBeUndefined();
      expect(leaseOf(b, minor)).toBeUndefined();
      await new Promise((r) => setTimeout(r, 100));
    }
    await eventually(() => a.peer.nodes.find((n) => n.name === c.name)!.stats.networkErrors > 0, 'batches to the cut peer time out');

    heal();
    await eventually(() => members.every((m) => leaseOf(m, major) && leaseOf(m, minor)), 'every peer sees both after the heal', 10_000);
    expect(ids(a)).toEqual(ids(c));
  });

  it('an instance cancelled on one side during a split stays listed on the other until its lease runs out there', async () => {
    const members = await start({ links: true, selfPreservation: false });
    const [a, , c] = members;
    const svc = client(c, 'dying', 8084);
    await run(svc);
    const id = 'eureka:DYING:localhost:dying:8084';
    await eventually(() => members.every((m) => leaseOf(m, id)), 'registered everywhere');
    split(members, c);
    await halt(svc);
    expect(leaseOf(c, id)).toBeUndefined();
    // Side a never heard of the cancel: it keeps listing the instance until its own lease expires
    // (2 x 90 s with Eureka's quirk, x 0.01, plus an eviction run every 0.6 s).
    const cancelledAt = performance.now();
    expect(leaseOf(a, id)).toBeDefined();
    await eventually(() => !leaseOf(a, id), 'side a evicts it when its lease runs out', 10_000);
    expect(performance.now() - cancelledAt).toBeGreaterThan(900);
  });
});
