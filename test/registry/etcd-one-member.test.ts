/**
 * registry kind etcd with one member: `micro-dev up` as a user runs it (the greeter found through the gateway
 * in etcd), SIGKILL of micro-dev leaves no etcd behind; and go-micro's etcd registry checked against the
 * reference vectors (registry-wire.md §3.6) on a real etcd with etcdctl and the kit's client.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultPlane } from '../../runner/faults/fault-plane.ts';
import { EtcdCluster } from '../../runner/registry/etcd/etcd-cluster.ts';
import { EtcdRegistryClient, etcdNodeKey } from '../../services/kit/etcd-registry-client.ts';
import type { RegisterNode } from '../../services/kit/registry-client.ts';
import { CliProcess, eventually, processesWith, writeTestTopology } from '../support/cli-process.ts';
import { etcdGate } from './etcd-gate.ts';

const run = promisify(execFile);
const gate = etcdGate();
const running: CliProcess[] = [];
afterEach(() => {
  for (const cli of running.splice(0)) cli.child.kill('SIGKILL');
});

describe.runIf(gate.run)('registry kind etcd, one member, through micro-dev up', () => {
  it('serves the greeter found in etcd, and leaves no etcd behind when micro-dev is SIGKILLed', async () => {
    const topo = await writeTestTopology();
    const yaml = (await readFile(topo.file, 'utf8')).replace(/^registry: \{.*\}$/m, 'registry: { kind: etcd, nodes: 1, time_scale: 0.1 }');
    await writeFile(topo.file, yaml);
    const up = new CliProcess(['up', '-c', topo.file, '--no-tui']);
    running.push(up);
    await up.waitFor('micro-dev ready', 60_000);
    const res = await fetch(`http://127.0.0.1:${topo.ports.gateway}/greeter/say/hello?name=One`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"message":"Hello One"}');
    const dataDir = join(topo.dir, '.micro-dev', 'etcd');
    expect((await processesWith(dataDir)).length).toBe(1);
    up.child.kill('SIGKILL');
    await up.exited;
    // The guard sees its link to micro-dev break and takes etcd down with it.
    await eventually(async () => (await processesWith(dataDir)).length === 0, 10_000, 'etcd to die with micro-dev');
  }, 90_000);
});

describe.runIf(gate.run)('an etcd member whose port was taken before it bound', () => {
  it('starts again on fresh ports and says so; no link of the first try is left', async () => {
    const { createServer } = await import('node:net');
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { findListenPort } = await import('../../runner/net/find-listen-port.ts');
    // Another process holds the first port handed out (as when a port is taken between the probe and the
    // bind): etcd's bind fails on it.
    const thief = createServer();
    await new Promise<void>((resolve) => thief.listen(0, '127.0.0.1', resolve));
    const stolen = (thief.address() as { port: number }).port;
    let handed = 0;
    const findPort = async () => (handed++ === 0 ? stolen : findListenPort('127.0.0.1'));
    const progress: string[] = [];
    const plane = new FaultPlane();
    const cluster = await EtcdCluster.start({ nodes: 1, stateDir: await mkdtemp(join(tmpdir(), 'micro-dev-etcd-')), plane, findPort, onProgress: (l) => progress.push(l) });
    try {
      expect(progress).toContain('registry  a port was taken before etcd bound it; starting the members on fresh ports');
      expect(cluster.directEndpoints[0]).not.toContain(`:${stolen}`);
      expect(await cluster.leader()).toBe('etcd-1');
      expect(plane.links().map((l) => l.name).sort()).toEqual(['registry/etcd-1/client', 'registry/etcd-1/peer']);
    } finally {
      await cluster.stop();
      await plane.close();
      thief.close();
    }
  }, 60_000);
});

describe.runIf(gate.run)("go-micro's etcd registry against the reference vectors (real etcd, etcdctl)", () => {
  let plane: FaultPlane;
  let cluster: EtcdCluster;
  let kit: EtcdRegistryClient;
  const etcdctl = async (...args: string[]) =>
    (await run('etcdctl', ['--endpoints', cluster.directEndpoints[0]!, ...args], { env: { ...process.env, ETCDCTL_API: '3' } })).stdout;
  const node = (id: string, version = 'latest'): RegisterNode => ({
    id: `greeter-${id}`,
    address: '10.0.0.5:40321',
    metadata: { transport: 'http', broker: 'http', server: 'mucp', registry: 'etcd', protocol: 'mucp' },
    service: 'greeter',
    version,
    endpoints: [{ name: 'Greeter.Hello', request: { name: 'Request', type: 'Request', values: [{ name: 'name', type: 'string' }] }, response: { name: 'Response', type: 'Response' }, metadata: { stream: 'false' } }],
  });

  beforeAll(async () => {
    plane = new FaultPlane();
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    cluster = await EtcdCluster.start({ nodes: 1, stateDir: await mkdtemp(join(tmpdir(), 'micro-dev-etcd-')), plane });
    kit = new EtcdRegistryClient(cluster.clientEndpoints.join(','));
  }, 60_000);
  afterAll(async () => {
    await kit?.close();
    await cluster?.stop();
    await plane?.close();
  });

  it('K-1/K-2: one key /micro/registry/greeter/greeter-<id>, the Service JSON with one node, a lease of the TTL', async () => {
    await kit.register(node('6f1c'), 90_000);
    const keys = (await etcdctl('get', '--prefix', '/micro/registry/', '--keys-only')).split('\n').filter(Boolean);
    expect(keys).toEqual(['/micro/registry/greeter/greeter-6f1c']);
    const value = (await etcdctl('get', keys[0]!, '--print-value-only')).trim();
    expect(value).toBe(
      '{"name":"greeter","version":"latest","metadata":null,"endpoints":[{"request":{"name":"Request","type":"Request","values":[{"name":"name","type":"string","values":null}]},"response":{"name":"Response","type":"Response","values":null},"metadata":{"stream":"false"},"name":"Greeter.Hello"}],"nodes":[{"metadata":{"broker":"http","protocol":"mucp","registry":"etcd","server":"mucp","transport":"http"},"id":"greeter-6f1c","address":"10.0.0.5:40321"}]}',
    );
    const lease = BigInt(/"lease":(\d+)/.exec(await etcdctl('get', keys[0]!, '-w', 'json'))![1]!);
    expect(await etcdctl('lease', 'timetolive', lease.toString(16), '--keys')).toMatch(/granted with TTL\(90s\).*greeter-6f1c/s);
  });

  it('K-3: etcd raises a 1 s lease to its 2 s floor', async () => {
    expect(await etcdctl('lease', 'grant', '1')).toMatch(/granted with TTL\(2s\)/);
  });

  it('K-6: a graceful deregister deletes the key and leaves the lease to expire', async () => {
    await kit.register(node('k6'), 60_000);
    const lease = BigInt(/"lease":(\d+)/.exec(await etcdctl('get', etcdNodeKey('greeter', 'greeter-k6'), '-w', 'json'))![1]!);
    await kit.deregisterNode(node('k6'));
    expect(await etcdctl('get', etcdNodeKey('greeter', 'greeter-k6'), '--keys-only')).toBe('');
    expect(await etcdctl('lease', 'timetolive', lease.toString(16))).toMatch(/remaining\(\d+s\)/);
  });

  it('K-8: a key deleted by hand is not written again while its lease lives (no Put for an unchanged node)', async () => {
    await kit.register(node('k8'), 60_000);
    await etcdctl('del', etcdNodeKey('greeter', 'greeter-k8'));
    await kit.heartbeat(node('k8')); // the register tick: lease alive, node unchanged -> nothing to do
    expect(await etcdctl('get', etcdNodeKey('greeter', 'greeter-k8'), '--keys-only')).toBe('');
  });

  it('K-10/K-11: an unknown service has no entries; two versions are two Service entries of one node each', async () => {
    expect((await kit.getService('nope')).services).toEqual([]);
    await kit.register({ ...node('v1'), service: 'versions', version: 'v1' }, 60_000);
    await kit.register({ ...node('v2'), service: 'versions', version: 'v2' }, 60_000);
    const { services } = await kit.getService('versions');
    expect(services.map((s) => [s.version, s.nodes.length]).sort()).toEqual([['v1', 1], ['v2', 1]]);
  });

  it('a watch (get with an index) answers at the next change of the service', async () => {
    const { index } = await kit.getService('watched');
    const waiting = kit.getService('watched', { index, waitMs: 10_000 });
    await kit.register({ ...node('w1'), service: 'watched' }, 60_000);
    const next = await waiting;
    expect(next.index).toBeGreaterThan(index);
    expect(next.services[0]!.nodes.map((n) => n.id)).toEqual(['greeter-w1']);
  });
});
