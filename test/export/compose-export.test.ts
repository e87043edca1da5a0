/**
 * `micro-dev export compose` of the default topology, run for real: the CLI writes compose.yaml and the
 * build context, docker-compose (Debian's 1.29, or `docker compose`) builds the images on the local
 * micro-dev/node base (nothing is pulled) and starts them; the greeter answers through the gateway, both
 * greeter-srv replicas are registered and passing, and `down -v --rmi local` leaves no container, network
 * or image of the project. Host ports are free ones (MICRO_DEV_*_PORT), the project name is unique.
 * Skipped without Docker; MICRO_DEV_REQUIRE_DOCKER=1 (CI) makes a missing engine or compose a failure.
 */
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureBaseImage } from '../../runner/images/base-image.ts';
import { connectDocker } from '../../runner/runtimes/container/docker-client.ts';
import { dockerGate, waitFor } from '../containers/container-test-kit.ts';
import { repoRoot, runCli } from '../support/cli-process.ts';
import { ComposeProject, findCompose, greeterThroughGateway, greeterWebPage } from './compose-kit.ts';

const gate = await dockerGate();
const compose = await findCompose();
const project = compose ? new ComposeProject(compose, 'mdexport') : undefined;

describe.runIf(gate.mustFail || (gate.run && !compose && process.env.MICRO_DEV_REQUIRE_DOCKER === '1'))('export compose (Docker required)', () => {
  it('has a Docker engine and compose', () => {
    throw new Error(`MICRO_DEV_REQUIRE_DOCKER=1 but ${gate.mustFail ? gate.reason : 'neither docker-compose nor docker compose runs'}`);
  });
});

describe.runIf(gate.run && compose)('export compose of the default topology on Docker', () => {
  beforeAll(async () => {
    await project!.makeOutDir('micro-dev-export-compose-');
    await ensureBaseImage(await connectDocker());
  }, 120_000);

  afterAll(() => project?.cleanUp(), 240_000);

  it('builds, starts, answers through the gateway, and down leaves nothing', { timeout: 900_000 }, async () => {
    const out = project!.out;
    const exported = await runCli(['export', 'compose', '-o', out]);
    expect(exported.output).toContain('compose.yaml');
    expect(exported.code).toBe(0);
    const file = parse(await readFile(join(out, 'compose.yaml'), 'utf8'));
    expect(Object.keys(file.services).sort()).toEqual(['greeter-api', 'greeter-srv', 'greeter-web', 'infra']);

    const ports = await project!.publishOnFreePorts();
    await project!.up();

    const answer = await greeterThroughGateway(ports, 'John');
    expect(answer).toEqual({ message: 'Hello John' });

    const passing = await waitFor(
      'both greeter-srv replicas passing in the registry',
      async () => {
        const res = await fetch(`http://127.0.0.1:${ports.registry}/v1/health/service/go.micro.srv.greeter?passing`).catch(() => undefined);
        const list = res?.ok ? ((await res.json()) as Array<{ Service: { Address: string } }>) : [];
        return list.length === 2 ? list : undefined;
      },
      60_000,
    );
    // Each replica registered its own container address, not 127.0.0.1.
    expect(new Set(passing.map((e) => e.Service.Address)).size).toBe(2);
    expect(passing.every((e) => e.Service.Address !== '127.0.0.1')).toBe(true);

    // The proxy and the web gateway are published as well.
    const viaProxy = await fetch(`http://127.0.0.1:${ports.proxy}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'micro-service': 'go.micro.srv.greeter', 'micro-endpoint': 'Say.Hello' },
      body: JSON.stringify({ name: 'Proxy' }),
    });
    expect(await viaProxy.json()).toEqual({ msg: 'Hello Proxy' });
    // greeter-web starts once greeter-api is healthy (depends_on): it may register a little later.
    const page = await greeterWebPage(ports);
    expect(page).toContain('<form');

    const ps = await project!.cmd(['ps']);
    expect(ps.match(/greeter-srv/g)?.length).toBe(2);

    await project!.down();
    expect(await project!.leftovers()).toEqual([]);
  });
});

describe('export compose needs no Docker to write', () => {
  it('refuses a format it does not know, naming it', async () => {
    const bad = await runCli(['export', 'swarm'], repoRoot);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('export needs compose or kubernetes, got "swarm"');
  });

  it('refuses --consul for a topology whose services speak etcd', async () => {
    const bad = await runCli(['export', 'compose', '-c', 'examples/etcd/micro.dev.yaml', '--consul', '-o', join(tmpdir(), `micro-dev-unused-${process.pid}`)], repoRoot);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain("export compose --consul: the topology's registry is etcd (its services speak etcd, not Consul); drop --consul");
  });
});
