/**
 * registry kind etcd, 3 members (section `etcdCluster` of bench/results/registry.json), each number beside a
 * baseline without our code, measured in the same run, rounds alternating:
 *
 *   up to ready        EtcdCluster.start (guard, links, peer routers) until a leader  vs  3 bare etcd processes
 *   register -> watch  kit register (go-micro layout) -> kit getService watch answers   vs  etcd3 put -> etcd3 watch event
 *   leader loss        SIGKILL the leader -> a kit registration is accepted again     vs  the same with etcd3 puts on bare etcd
 *
 * Usage: node_modules/.bin/node bench/registry/etcd-cluster.ts [rounds]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { FaultPlane } from '../../runner/faults/fault-plane.ts';
import { findFreePort } from '../../runner/net/find-free-port.ts';
import { EtcdCluster } from '../../runner/registry/etcd/etcd-cluster.ts';
import { EtcdRegistryClient } from '../../services/kit/etcd-registry-client.ts';
import type { RegisterNode } from '../../services/kit/registry-client.ts';
import { median, writeResult } from './bench-support.ts';

const rounds = Number(process.argv[2] ?? 3);
const node = (id: string): RegisterNode => ({ id, address: '127.0.0.1:1', metadata: { registry: 'etcd' }, service: 'bench', version: 'latest', endpoints: [] });

interface Bare {
  endpoints: string[];
  procs: ChildProcess[];
  stop(): Promise<void>;
}

async function bareCluster(): Promise<Bare> {
  const dir = await mkdtemp(join(tmpdir(), 'bare-etcd-'));
  const ports = await Promise.all(Array.from({ length: 6 }, () => findFreePort()));
  const names = ['b1', 'b2', 'b3'];
  const initial = names.map((n, i) => `${n}=http://127.0.0.1:${ports[i * 2 + 1]}`).join(',');
  const procs = names.map((n, i) =>
    spawn('etcd', ['--name', n, '--data-dir', join(dir, n), '--listen-client-urls', `http://127.0.0.1:${ports[i * 2]}`, '--advertise-client-urls', `http://127.0.0.1:${ports[i * 2]}`,
      '--listen-peer-urls', `http://127.0.0.1:${ports[i * 2 + 1]}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${ports[i * 2 + 1]}`, '--initial-cluster', initial,
      '--heartbeat-interval', '100', '--election-timeout', '1000', '--pre-vote', '--logger', 'zap', '--log-level', 'error'], { stdio: 'ignore' }),
  );
  const endpoints = names.map((_, i) => `127.0.0.1:${ports[i * 2]}`);
  return {
    endpoints,
    procs,
    stop: async () => {
      for (const p of procs) p.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Each member's own answer: its id and the leader it knows ('0': none), or undefined. */
async function statuses(endpoints: string[]) {
  return Promise.all(
    endpoints.map(async (e) => {
      const c = new Etcd3({ hosts: `http://${e}`, dialTimeout: 300 });
      const s = await Promise.race([c.maintenance.status(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 500))]).catch(() => undefined);
      c.close();
      return s;
    }),
  );
}

async function leaderOf(endpoints: string[]): Promise<number | undefined> {
  const i = (await statuses(endpoints)).findIndex((s) => s && s.leader !== '0' && s.leader === s.header.member_id);
  return i < 0 ? undefined : i;
}

/** The same readiness as EtcdCluster.start: every member answers and knows a leader. */
async function untilLeader(endpoints: string[]): Promise<void> {
  while (!(await statuses(endpoints)).every((s) => s && s.leader !== '0')) await new Promise((r) => setTimeout(r, 100));
}

async function registerToWatch(put: (id: string) => Promise<void>, watch: (id: string) => Promise<void>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = `w-${Date.now()}-${i}`;
    const seen = watch(id);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await put(id);
    await seen;
    out.push(performance.now() - t0);
  }
  return out;
}

const up = { ours: [] as number[], bare: [] as number[] };
const watch = { ours: [] as number[], bare: [] as number[] };
const failover = { ours: [] as number[], bare: [] as number[] };
const stateDir = await mkdtemp(join(tmpdir(), 'bench-etcd-'));
for (let round = 0; round < rounds; round++) {
  // Ours: the cluster as micro-dev runs it, the kit's client through the members' client links.
  const plane = new FaultPlane();
  let t = performance.now();
  const cluster = await EtcdCluster.start({ nodes: 3, stateDir, plane });
  up.ours.push(performance.now() - t);
  const writer = new EtcdRegistryClient(cluster.clientEndpoints.join(','));
  const reader = new EtcdRegistryClient(cluster.clientEndpoints.join(','));
  watch.ours.push(
    ...(await registerToWatch(
      (id) => writer.register(node(id), 60_000),
      async (id) => {
        let { index } = await reader.getService('bench');
        for (;;) {
          const r = await reader.getService('bench', { index, waitMs: 10_000 });
          if (r.services.some((s) => s.nodes.some((x) => x.id === id))) return;
          index = r.index;
        }
      },
      5,
    )),
  );
  const victim = cluster.names[(await leaderOf(cluster.directEndpoints))!]!;
  t = performance.now();
  await cluster.kill(victim);
  for (let i = 0; ; i++) {
    const ok = await writer.register(node(`after-${round}-${i}`), 60_000, { timeoutMs: 1000 }).then(() => true, () => false);
    if (ok) break;
  }
  failover.ours.push(performance.now() - t);
  await writer.close();
  await reader.close();
  await cluster.stop();
  await plane.close();

  // Baseline: three bare etcd processes, the etcd3 client straight at them.
  t = performance.now();
  const bare = await bareCluster();
  await untilLeader(bare.endpoints);
  up.bare.push(performance.now() - t);
  const client = new Etcd3({ hosts: bare.endpoints.map((e) => `http://${e}`), defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + 1000 }) });
  watch.bare.push(
    ...(await registerToWatch(
      (id) => client.put(`/micro/registry/bench/${id}`).value('x').exec().then(() => undefined),
      async (id) => {
        const w = await client.watch().key(`/micro/registry/bench/${id}`).create();
        await new Promise<void>((r) => w.once('put', () => r()));
        await w.cancel();
      },
      5,
    )),
  );
  const leader = (await leaderOf(bare.endpoints))!;
  t = performance.now();
  bare.procs[leader]!.kill('SIGKILL');
  for (;;) {
    const ok = await client.put(`/micro/registry/bench/after-${round}`).value('x').exec().then(() => true, () => false);
    if (ok) break;
  }
  failover.bare.push(performance.now() - t);
  client.close();
  await bare.stop();
  console.log(`round ${round + 1}: up ${Math.round(up.ours.at(-1)!)} / ${Math.round(up.bare.at(-1)!)} ms, failover ${Math.round(failover.ours.at(-1)!)} / ${Math.round(failover.bare.at(-1)!)} ms`);
}
await rm(stateDir, { recursive: true, force: true });
const summary = (xs: { ours: number[]; bare: number[] }) => ({
  medianMs: Math.round(median(xs.ours)),
  baselineMedianMs: Math.round(median(xs.bare)),
  ratio: Number((median(xs.ours) / median(xs.bare)).toFixed(2)),
  samples: xs.ours.length,
});
const result = {
  rounds,
  load: loadavg()[0],
  upToReady: summary(up),
  registerToWatch: summary(watch),
  leaderLossToRegistration: summary(failover),
  note: 'ours: EtcdCluster (guard, fault-plane links, peer routers) + the kit (go-micro layout); baseline: 3 bare etcd processes + etcd3 directly',
};
writeResult('etcdCluster', result);
console.log(JSON.stringify(result, null, 2));
process.exit(0);
