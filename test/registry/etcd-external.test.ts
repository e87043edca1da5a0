/**
 * registry kind etcd at an address: an etcd the test starts itself (Debian's etcd-server, one member on free
 * ports), which micro-dev only uses. The config takes its endpoints (FILE:LINE:COL errors otherwise); the
 * engine starts no etcd of its own, lists registrations through it (`registered` readiness), the gateway
 * finds the greeter in it, the instances get MICRO_REGISTRY=etcd and their registry links to it; a registry
 * fault on its members is refused with the reason; shutdown deregisters and leaves that etcd running.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import { checkTopologyText } from '../../runner/config/check-topology-text.ts';
import { formatProblem } from '../../runner/config/config-problem.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { findEtcdBinary } from '../../runner/registry/etcd/find-etcd-binary.ts';
import { distinctFreePort, eventually, processesWith, writeTestTopology } from '../support/cli-process.ts';
import { etcdGate } from './etcd-gate.ts';

const run = promisify(execFile);
const gate = etcdGate();

describe('registry kind etcd: address in the config', () => {
  const check = (registry: string) => checkTopologyText(`name: x\nregistry: ${registry}\nservices: {}\n`, '/p/micro.dev.yaml', { fileExists: () => true });

  it('takes one endpoint, several comma separated, or a list, as the comma-separated MICRO_REGISTRY_ADDRESS form', () => {
    expect(check('{kind: etcd, address: "etcd-0:2379"}').topology?.registry.address).toBe('etcd-0:2379');
    expect(check('{kind: etcd, address: "etcd-0:2379,etcd-1:2379"}').topology?.registry.address).toBe('etcd-0:2379,etcd-1:2379');
    expect(check('{kind: etcd, address: [etcd-0:2379, etcd-1:2379, etcd-2:2379]}').topology?.registry.address).toBe('etcd-0:2379,etcd-1:2379,etcd-2:2379');
  });

  it('names the file, line and column of a bad endpoint', () => {
    const problems = (registry: string) => check(registry).problems.map((p) => formatProblem(p, '/p'));
    expect(problems('{kind: etcd, address: "http://etcd-0:2379"}')).toEqual([
      'micro.dev.yaml:2:33: registry.address: expected host:port, e.g. 127.0.0.1:8500 (etcd: several, comma separated)',
    ]);
    expect(problems('{kind: etcd, address: [etcd-0:2379, etcd-1]}')).toEqual(['micro.dev.yaml:2:47: registry.address[1]: expected host:port, e.g. 127.0.0.1:8500']);
    expect(problems('{kind: etcd, nodes: 3, address: "etcd-0:2379"}')).toEqual([
      'micro.dev.yaml:2:24: registry: "nodes" counts the etcd members micro-dev starts; with "address" the cluster is yours and micro-dev starts none',
    ]);
  });
});

describe.runIf(gate.mustFail)('etcd is required (MICRO_DEV_REQUIRE_ETCD=1)', () => {
  it('has an etcd server on PATH', () => {
    throw new Error(`MICRO_DEV_REQUIRE_ETCD=1 but ${gate.reason}`);
  });
});

describe.runIf(gate.run)('registry kind etcd at an address (an etcd micro-dev does not start)', () => {
  let etcd: ChildProcess | undefined;
  let etcdDir = '';
  let endpoint = '';
  let orchestrator: Orchestrator;
  let dir = '';

  const etcdctl = async (...args: string[]) =>
    (await run('etcdctl', ['--endpoints', endpoint, '--command-timeout', '3s', ...args], { env: { ...process.env, ETCDCTL_API: '3' } })).stdout;
  const registeredKeys = async () => (await etcdctl('get', '--prefix', '/micro/registry/', '--keys-only')).split('\n').filter(Boolean);
  const healthy = async () => (await fetch(`http://${endpoint}/health`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.status === 200;

  beforeAll(async () => {
    etcdDir = await mkdtemp(join(tmpdir(), 'micro-dev-external-etcd-'));
    const client = await distinctFreePort();
    const peer = await distinctFreePort();
    endpoint = `127.0.0.1:${client}`;
    etcd = spawn(
      findEtcdBinary(),
      [
        '--name', 'outside',
        '--data-dir', join(etcdDir, 'data'),
        '--listen-client-urls', `http://${endpoint}`,
        '--advertise-client-urls', `http://${endpoint}`,
        '--listen-peer-urls', `http://127.0.0.1:${peer}`,
        '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
        '--initial-cluster', `outside=http://127.0.0.1:${peer}`,
        '--log-level', 'warn', '--logger', 'zap',
      ],
      { stdio: 'ignore' },
    );
    await eventually(healthy, 30_000, 'the outside etcd healthy');

    const topo = await writeTestTopology();
    dir = topo.dir;
    const yaml = (await readFile(topo.file, 'utf8')).replace(/^registry: \{.*\}$/m, `registry: { kind: etcd, address: "${endpoint}", time_scale: 0.1 }`);
    await writeFile(topo.file, yaml);
    const topology = await loadTopology(topo.file);
    expect(topology.registry).toMatchObject({ kind: 'etcd', address: endpoint });
    orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology) });
    await orchestrator.start();
  }, 90_000);

  afterAll(async () => {
    await orchestrator?.shutdown();
    etcd?.kill('SIGKILL');
    if (etcdDir) await rm(etcdDir, { recursive: true, force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('starts no etcd of its own: every instance is ready, registered in the outside etcd through its registry link', async () => {
    const infra = orchestrator.infrastructure!;
    expect(infra.etcd).toBeUndefined();
    expect(infra.registryKind).toBe('etcd');
    expect(infra.registryUpstreams).toEqual([endpoint]);
    expect(await processesWith(join(dir, '.micro-dev', 'etcd'))).toEqual([]);
    expect(existsSync(join(dir, '.micro-dev', 'etcd'))).toBe(false);
    const snap = orchestrator.snapshot();
    expect(snap.instances.filter((i) => i.state === 'ready').map((i) => i.instance).sort()).toEqual(['greeter-api-1', 'greeter-srv-1', 'greeter-srv-2', 'greeter-web-1']);
    expect(snap.registry.kind).toBe('etcd');
    const links = orchestrator.faultPlane!.links();
    expect(links.find((l) => l.name === 'infra/registry')?.upstream).toBe(endpoint);
    expect(links.find((l) => l.name === 'greeter-srv-1/registry')?.upstream).toBe(endpoint);

    const keys = await registeredKeys();
    expect(keys.filter((k) => k.startsWith('/micro/registry/go.micro.srv.greeter/'))).toHaveLength(2);
    expect(keys.filter((k) => k.startsWith('/micro/registry/go.micro.api.greeter/'))).toHaveLength(1);
    // What the instance was told: etcd, at its registry link (which leads to the outside etcd).
    const value = (await etcdctl('get', '--prefix', '/micro/registry/go.micro.srv.greeter/', '--print-value-only')).split('\n').find((l) => l.startsWith('{'))!;
    expect((JSON.parse(value) as { nodes: { metadata: Record<string, string> }[] }).nodes[0]!.metadata.registry).toBe('etcd');
  });

  it('the gateway and the web gateway find the greeter in it', async () => {
    const gateway = orchestrator.snapshot().urls.gateway;
    const answer = await eventually(
      async () => {
        const res = await fetch(`${gateway}/greeter/say/hello?name=Outside`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
        return res?.status === 200 ? res.text() : undefined;
      },
      15_000,
      'a 200 through the gateway',
    );
    expect(answer).toBe('{"message":"Hello Outside"}');
    const web = orchestrator.snapshot().urls.web;
    const page = await eventually(
      async () => {
        const res = await fetch(`${web}/greeter`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
        return res?.status === 200 ? res.text() : undefined;
      },
      15_000,
      'greeter-web through the web gateway',
    );
    expect(page).toContain('<form');
  });

  it('refuses a fault on members it does not run, saying why', async () => {
    const result = await orchestrator.command({ type: 'registry-fault', fault: 'kill', members: ['leader'], on: true });
    expect(result.ok).toBe(false);
    expect(result.message).toContain(`registry.address points at an etcd cluster micro-dev did not start (${endpoint}), so it cannot partition, kill or slow its members`);
    expect(await healthy()).toBe(true);
  });

  it('shutdown deregisters every instance and leaves the outside etcd running', async () => {
    await orchestrator.shutdown();
    expect(await healthy()).toBe(true);
    expect(etcd!.exitCode).toBeNull();
    await eventually(async () => (await registeredKeys()).length === 0, 15_000, 'no registration left in the outside etcd');
  }, 30_000);
});
