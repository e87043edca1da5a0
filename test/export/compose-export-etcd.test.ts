/**
 * `micro-dev export compose` of examples/etcd (registry kind etcd, 3 members), run for real: the export writes
 * three etcd services (etcd-1..3, one cluster, health = `etcdctl endpoint health`), the infra container with
 * `registry: {kind: etcd, address: <the three>}` starting once they are healthy, and the services with
 * MICRO_REGISTRY=etcd at the three endpoints and a `registered` health check that reads etcd. Nothing can
 * be pulled here, so the etcd image is micro-dev/etcd:<version> made from this machine's etcd (images
 * prepare does the same); docker-compose builds the app on micro-dev/node. The greeter answers through the
 * gateway, both greeter-srv replicas are in etcd (read with the etcd3 client on the published port) under
 * their container addresses, greeter-web (started once greeter-api's etcd check passed) answers, and
 * `down -v --rmi local` leaves nothing. Skipped without Docker or etcd, as the other Docker and etcd tests.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureBaseImage } from '../../runner/images/base-image.ts';
import { ensureEtcdImage } from '../../runner/images/etcd-image.ts';
import { connectDocker } from '../../runner/runtimes/container/docker-client.ts';
import { dockerGate, waitFor } from '../containers/container-test-kit.ts';
import { etcdGate } from '../registry/etcd-gate.ts';
import { repoRoot, runCli } from '../support/cli-process.ts';
import { ComposeProject, findCompose, greeterThroughGateway, greeterWebPage } from './compose-kit.ts';

const gate = await dockerGate();
const etcd = etcdGate();
const compose = await findCompose();
const project = compose ? new ComposeProject(compose, 'mdexportetcd') : undefined;

describe.runIf(etcd.mustFail)('etcd is required (MICRO_DEV_REQUIRE_ETCD=1)', () => {
  it('has an etcd server on PATH', () => {
    throw new Error(`MICRO_DEV_REQUIRE_ETCD=1 but ${etcd.reason}`);
  });
});

describe.runIf(gate.mustFail || (gate.run && !compose && process.env.MICRO_DEV_REQUIRE_DOCKER === '1'))('export compose with etcd (Docker required)', () => {
  it('has a Docker engine and compose', () => {
    throw new Error(`MICRO_DEV_REQUIRE_DOCKER=1 but ${gate.mustFail ? gate.reason : 'neither docker-compose nor docker compose runs'}`);
  });
});

describe.runIf(gate.run && compose && etcd.run)('export compose of a topology on etcd, on Docker', () => {
  let etcdImage = '';

  beforeAll(async () => {
    await project!.makeOutDir('micro-dev-export-etcd-');
    const docker = await connectDocker();
    await ensureBaseImage(docker);
    etcdImage = (await ensureEtcdImage(docker)).tag;
  }, 120_000);

  afterAll(() => project?.cleanUp(), 240_000);

  it('runs three etcd members, the infra and the services on them; the greeter answers; down leaves nothing', { timeout: 900_000 }, async () => {
    const out = project!.out;
    const exported = await runCli(['export', 'compose', '-c', join(repoRoot, 'examples/etcd/micro.dev.yaml'), '-o', out, '--etcd-image', etcdImage]);
    expect(exported.code, exported.output).toBe(0);
    const file = parse(await readFile(join(out, 'compose.yaml'), 'utf8'));
    expect(Object.keys(file.services).sort()).toEqual(['etcd-1', 'etcd-2', 'etcd-3', 'greeter-api', 'greeter-srv', 'greeter-web', 'infra']);
    const endpoints = 'etcd-1:2379,etcd-2:2379,etcd-3:2379';
    expect(file.services['etcd-2'].image).toBe(etcdImage);
    expect(file.services['etcd-2'].command).toEqual(expect.arrayContaining(['--initial-cluster', 'etcd-1=http://etcd-1:2380,etcd-2=http://etcd-2:2380,etcd-3=http://etcd-3:2380']));
    expect(file.services.infra.depends_on).toEqual({ 'etcd-1': { condition: 'service_healthy' }, 'etcd-2': { condition: 'service_healthy' }, 'etcd-3': { condition: 'service_healthy' } });
    expect(file.services['greeter-srv'].environment).toMatchObject({ MICRO_REGISTRY: 'etcd', MICRO_REGISTRY_ADDRESS: endpoints });
    const infraConfig = parse(await readFile(join(out, 'app/examples/etcd/micro-dev-infra.yaml'), 'utf8'));
    expect(infraConfig.registry).toEqual({ kind: 'etcd', address: endpoints });

    const ports = await project!.publishOnFreePorts();
    await project!.up();

    const answer = await greeterThroughGateway(ports, 'Etcd');
    expect(answer).toEqual({ message: 'Hello Etcd' });

    // What go-micro's etcd registry wrote, read from etcd-1's published client port with the etcd3 client.
    const client = new Etcd3({ hosts: `http://127.0.0.1:${ports.registry}`, dialTimeout: 2000 });
    try {
      const nodes = await waitFor(
        'both greeter-srv replicas registered in etcd',
        async () => {
          const values = await client.getAll().prefix('/micro/registry/go.micro.srv.greeter/').strings().catch(() => ({}));
          const all = Object.values(values).flatMap((v) => (JSON.parse(v) as { nodes: { address: string }[] }).nodes);
          return all.length === 2 ? all : undefined;
        },
        60_000,
      );
      // Each replica registered its own container address, not 127.0.0.1.
      expect(new Set(nodes.map((n) => n.address)).size).toBe(2);
      expect(nodes.every((n) => !n.address.startsWith('127.'))).toBe(true);
      const members = await client.cluster.memberList({});
      expect(members.members.map((m) => m.name).sort()).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
    } finally {
      client.close();
    }

    // greeter-web starts only once greeter-api is healthy: its registered check read etcd and found it.
    const page = await greeterWebPage(ports);
    expect(page).toContain('<form');
    const ps = await project!.cmd(['ps']);
    expect(ps).toMatch(/greeter-api\S*\s.*\(healthy\)/);

    await project!.down();
    expect(await project!.leftovers()).toEqual([]);
  });
});
