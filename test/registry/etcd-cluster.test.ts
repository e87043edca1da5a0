/**
 * registry kind etcd, 3 members, through the engine: a real etcd cluster (Debian's etcd-server) behind the
 * fault plane, the greeter registered with go-micro's etcd layout and found through the gateway; a member
 * killed and one partitioned while registrations go on; nothing left behind.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { eventually, processesWith, writeTestTopology } from '../support/cli-process.ts';
import { etcdGate } from './etcd-gate.ts';

const run = promisify(execFile);
const gate = etcdGate();

describe.runIf(gate.mustFail)('etcd is required (MICRO_DEV_REQUIRE_ETCD=1)', () => {
  it('has an etcd server on PATH', () => {
    throw new Error(`MICRO_DEV_REQUIRE_ETCD=1 but ${gate.reason}`);
  });
});

describe.runIf(gate.run)('registry kind etcd, 3 members', () => {
  let orchestrator: Orchestrator;
  let dir: string;

  beforeAll(async () => {
    const topo = await writeTestTopology();
    dir = topo.dir;
    const yaml = (await readFile(topo.file, 'utf8')).replace(/^registry: \{.*\}$/m, 'registry: { kind: etcd, nodes: 3, time_scale: 0.1 }');
    await writeFile(topo.file, yaml);
    const topology = await loadTopology(topo.file);
    orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology) });
    await orchestrator.start();
  }, 90_000);
  afterAll(async () => {
    await orchestrator?.shutdown();
  }, 30_000);

  const etcd = () => orchestrator.infrastructure!.etcd!;
  const gateway = () => orchestrator.snapshot().urls.gateway;
  const etcdctl = async (...args: string[]) =>
    (await run('etcdctl', ['--endpoints', etcd().directEndpoints.join(','), '--command-timeout', '3s', ...args], { env: { ...process.env, ETCDCTL_API: '3' } })).stdout;
  const hello = async (name: string) => {
    const res = await fetch(`${gateway()}/greeter/say/hello?name=${name}`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    return res?.status === 200 ? res.text() : undefined;
  };

  it('starts three members with one leader, and every instance registered through them', async () => {
    const roles = (await etcd().status()).map((s) => s.role).sort();
    expect(roles).toEqual(['follower', 'follower', 'leader']);
    const snap = orchestrator.snapshot();
    expect(snap.instances.filter((i) => i.state === 'ready').map((i) => i.instance).sort()).toEqual(['greeter-api-1', 'greeter-srv-1', 'greeter-srv-2', 'greeter-web-1']);
    expect(snap.instances.every((i) => i.registryId)).toBe(true);
    // The instances dial every member, each through its own registry link.
    const links = orchestrator.faultPlane!.links().map((l) => l.name);
    expect(links).toEqual(expect.arrayContaining(['greeter-srv-1/registry', 'greeter-srv-1/etcd-2/registry', 'greeter-srv-1/etcd-3/registry', 'registry/etcd-1/client', 'registry/etcd-2/peer-from-etcd-1']));
  });

  it("writes go-micro's key layout and value, with a lease of the scaled TTL (etcdctl)", async () => {
    const keys = (await etcdctl('get', '--prefix', '/micro/registry/', '--keys-only')).split('\n').filter(Boolean).sort();
    const srv = keys.filter((k) => k.startsWith('/micro/registry/go.micro.srv.greeter/'));
    expect(srv).toHaveLength(2);
    for (const key of srv) expect(key).toMatch(/^\/micro\/registry\/go\.micro\.srv\.greeter\/go\.micro\.srv\.greeter-[0-9a-f-]{36}$/);
    const raw = await etcdctl('get', srv[0]!, '-w', 'json');
    const out = JSON.parse(raw) as { kvs: { value: string }[] };
    // The lease id is an int64 (JSON.parse would round it): read its digits.
    const lease = BigInt(/"lease":(\d+)/.exec(raw)![1]!);
    const value = Buffer.from(out.kvs[0]!.value, 'base64').toString();
    expect(Object.keys(JSON.parse(value) as object)).toEqual(['name', 'version', 'metadata', 'endpoints', 'nodes']);
    const service = JSON.parse(value) as { name: string; version: string; nodes: { id: string; address: string; metadata: Record<string, string> }[] };
    expect(service.name).toBe('go.micro.srv.greeter');
    expect(service.nodes).toHaveLength(1);
    expect(Object.keys(service.nodes[0]!)).toEqual(['metadata', 'id', 'address']);
    expect(service.nodes[0]!.metadata).toMatchObject({ registry: 'etcd', protocol: 'mucp', server: 'mucp', transport: 'http', broker: 'http' });
    const ttl = await etcdctl('lease', 'timetolive', lease.toString(16), '--keys');
    // go-micro's 60 s TTL x time_scale 0.1 = 6 s, granted as is (above etcd's 2 s floor); the lease holds this one key.
    expect(ttl).toMatch(/granted with TTL\(6s\)/);
    expect(ttl).toContain(srv[0]!);
  });

  it('routes through the gateway, which found the nodes in etcd', async () => {
    expect(await eventually(() => hello('Etcd'), 15_000, 'a 200 through the gateway')).toBe('{"message":"Hello Etcd"}');
  });

  it('the registry view lists the members, their roles and links', async () => {
    const members = await eventually(async () => orchestrator.snapshot().registry.members, 5_000, 'members in the snapshot');
    expect(orchestrator.snapshot().registry.kind).toBe('etcd');
    expect(members.map((m) => m.name)).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
    expect(members.filter((m) => m.role === 'leader')).toHaveLength(1);
    expect(members[0]!.links[0]).toBe('registry/etcd-1/client');
    // Every registered node is live (its key lives with its lease); the view is refreshed once a second.
    await eventually(async () => orchestrator.snapshot().registry.passing === 4, 5_000, '4 registered nodes in the view');
  });

  it('a killed member (registry-fault kill): the two left keep a leader, a new instance registers and is found; the member rejoins', async () => {
    const kill = await orchestrator.command({ type: 'registry-fault', fault: 'kill', members: ['leader'], on: true });
    expect(kill.ok).toBe(true);
    const victim = kill.members![0]!;
    await eventually(async () => orchestrator.snapshot().registry.members?.find((m) => m.name === victim)?.role === 'down', 5_000, `${victim} down in the view`);
    expect(orchestrator.snapshot().registry.members!.find((m) => m.name === victim)!.faults).toEqual(['kill']);
    await eventually(async () => (await etcd().status()).some((s) => s.name !== victim && s.role === 'leader'), 15_000, 'a leader among the two left');
    await orchestrator.command({ type: 'scale', service: 'greeter-srv', replicas: 3 });
    await eventually(async () => orchestrator.snapshot().instances.find((i) => i.instance === 'greeter-srv-3')?.state === 'ready', 30_000, 'greeter-srv-3 ready');
    const nodes = await etcd().registeredNodes();
    expect(nodes.filter((n) => n.service === 'go.micro.srv.greeter')).toHaveLength(3);
    expect(await eventually(() => hello('Two'), 10_000, 'a 200 with a member down')).toBe('{"message":"Hello Two"}');
    expect((await orchestrator.command({ type: 'registry-fault', fault: 'kill', on: false })).ok).toBe(true);
    await eventually(async () => (await etcd().status()).find((s) => s.name === victim)?.role === 'follower', 20_000, `${victim} back as a follower`);
  }, 90_000);

  it('a member partitioned from peers and clients: the majority keeps serving writes; after the heal it has them too', async () => {
    const cut = await orchestrator.command({ type: 'registry-fault', fault: 'partition', members: ['leader'], from: 'both', on: true });
    expect(cut.ok).toBe(true);
    const victim = cut.members![0]!;
    const plane = orchestrator.faultPlane!;
    // Its client link and every peer link between it and the others carry a down toxic.
    const others = etcd().names.filter((n) => n !== victim);
    const cutLinks = [`registry/${victim}/client`, ...etcd().linksBetween([victim], others)];
    expect(cutLinks).toHaveLength(5);
    for (const link of cutLinks) expect(plane.link(link)!.toxics().map((t) => t.name).sort()).toEqual(['registry-fault:partition:down:downstream', 'registry-fault:partition:down:upstream']);
    try {
      // The isolated leader cannot hear its followers: it steps down (check quorum); the two elect another.
      await eventually(async () => (await etcd().status()).some((s) => s.name !== victim && s.role === 'leader'), 15_000, 'a new leader on the majority side');
      await eventually(async () => (await etcd().status()).find((s) => s.name === victim)?.role !== 'leader', 15_000, `${victim} to step down`);
      await orchestrator.command({ type: 'scale', service: 'greeter-srv', replicas: 2 });
      await orchestrator.command({ type: 'scale', service: 'greeter-srv', replicas: 3 });
      await eventually(async () => orchestrator.snapshot().instances.find((i) => i.instance === 'greeter-srv-3')?.state === 'ready', 30_000, 'greeter-srv-3 ready during the partition').catch((e: unknown) => {
        console.log(orchestrator.logs('greeter-srv-3', 30).map((l) => l.line).join('\n'));
        throw e;
      });
    } finally {
      await orchestrator.command({ type: 'registry-fault', fault: 'partition', on: false });
    }
    expect(plane.links().flatMap((l) => l.toxics())).toEqual([]);
    const id = orchestrator.snapshot().instances.find((i) => i.instance === 'greeter-srv-3')!.registryId!;
    // After the heal the isolated member has the registration made without it (read from it alone).
    await eventually(async () => {
      const out = await run('etcdctl', ['--endpoints', etcd().directEndpoints[etcd().names.indexOf(victim)]!, '--consistency', 's', 'get', '--prefix', '/micro/registry/', '--keys-only'], { env: { ...process.env, ETCDCTL_API: '3' } });
      return out.stdout.includes(id);
    }, 20_000, `${victim} to have ${id}`);
    const roles = (await etcd().status()).map((s) => s.role).filter((r) => r === 'leader');
    expect(roles).toHaveLength(1);
  }, 90_000);

  it('a slowed member (registry-fault slow): every link of its carries the latency both ways; a write through it waits that long; healed, nothing left', async () => {
    const slow = await orchestrator.command({ type: 'registry-fault', fault: 'slow', members: ['follower'], latencyMs: 400, on: true });
    expect(slow.ok).toBe(true);
    const victim = slow.members![0]!;
    const plane = orchestrator.faultPlane!;
    const links = etcd().links(victim, 'both');
    expect(links).toContain(`registry/${victim}/client`);
    expect(links.length).toBeGreaterThan(1);
    for (const link of links) {
      expect(plane.link(link)!.toxics().map((t) => [t.type, t.stream, t.attributes.latency]).sort()).toEqual([
        ['latency', 'downstream', 400],
        ['latency', 'upstream', 400],
      ]);
    }
    const faultsOf = () => orchestrator.snapshot().registry.members?.find((m) => m.name === victim)?.faults.join(',');
    await eventually(async () => faultsOf() === 'slow', 5_000, `${victim} slow in the view`);
    try {
      // A put through the member's client link crosses it twice each way (request, answer): 800 ms at least.
      const through = plane.link(`registry/${victim}/client`)!.listen;
      const started = performance.now();
      await run('etcdctl', ['--endpoints', through, '--command-timeout', '10s', 'put', '/micro-dev-test/slow', 'x'], { env: { ...process.env, ETCDCTL_API: '3' } });
      expect(performance.now() - started).toBeGreaterThanOrEqual(800);
      // The cluster still serves: the gateway answers.
      expect(await eventually(() => hello('Slow'), 10_000, 'a 200 with a slow member')).toBe('{"message":"Hello Slow"}');
    } finally {
      expect((await orchestrator.command({ type: 'registry-fault', fault: 'slow', on: false })).ok).toBe(true);
    }
    expect(plane.links().flatMap((l) => l.toxics())).toEqual([]);
    await eventually(async () => faultsOf() === '', 5_000, `${victim} without faults in the view`);
  }, 60_000);

  it('leaves no etcd and no data behind on shutdown', async () => {
    const dataRoot = join(dir, '.micro-dev', 'etcd');
    await orchestrator.shutdown();
    expect(await processesWith(dataRoot)).toEqual([]);
    expect(await readdir(dataRoot)).toEqual([]);
  }, 30_000);
});
