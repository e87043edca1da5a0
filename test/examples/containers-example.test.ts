/**
 * examples/containers, started as its README says: `micro-dev images prepare`, then `micro-dev up`, through
 * the real CLI with a real Docker engine: greeter-srv in two containers beside the worker tiers, called
 * through the gateway's api handler and the proxy; Ctrl-C (SIGINT) exits 0 and leaves no container.
 * The copy differs from the example only in its ports (free ones, not the defaults) and its name; it sits
 * beside the example so every relative path, and the project the containers mount, stay the same.
 * Skipped without Docker; MICRO_DEV_REQUIRE_DOCKER=1 makes a missing engine a failure.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../runner/net/find-free-port.ts';
import { connectDocker } from '../../runner/runtimes/container/docker-client.ts';
import { Labels } from '../../runner/runtimes/container/labels.ts';
import { CliProcess, repoRoot, runCli } from '../support/cli-process.ts';
import { dockerGate } from '../containers/container-test-kit.ts';

const gate = await dockerGate();
const example = join(repoRoot, 'examples/containers');
const name = `greeter-containers-test-${process.pid}`;
const file = join(example, `micro.dev.test-${process.pid}.yaml`);
let up: CliProcess | undefined;

afterAll(async () => {
  if (up && up.child.exitCode === null) {
    up.child.kill('SIGTERM');
    await up.exited;
  }
  await rm(file, { force: true });
  await rm(join(example, '.micro-dev'), { recursive: true, force: true });
});

async function containersOf(topology: string): Promise<string[]> {
  const docker = await connectDocker();
  const list = await docker.listContainers({ all: true, filters: { label: [`${Labels.topology}=${topology}`] } });
  return list.map((c) => `${c.Labels[Labels.instance]} ${c.State}`).sort();
}

describe.runIf(gate.mustFail)('examples/containers (Docker required)', () => {
  it('has a Docker engine', () => {
    throw new Error(`MICRO_DEV_REQUIRE_DOCKER=1 but ${gate.reason}`);
  });
});

describe.runIf(gate.run)('examples/containers', () => {
  it('prepares its images, runs greeter-srv in two containers, answers, and Ctrl-C leaves none', { timeout: 300_000 }, async () => {
    const doc = YAML.parseDocument(await readFile(join(example, 'micro.dev.yaml'), 'utf8'));
    expect(doc.toJS().services['greeter-srv'].runtime).toBe('container');
    expect([8500, 8080, 8081, 8082, 8474].map((p, i) => doc.getIn([['registry', 'gateway', 'proxy', 'web', 'faults'][i]!, 'port']))).toEqual([
      8500, 8080, 8081, 8082, 8474,
    ]);
    const ports: Record<string, number> = {};
    for (const part of ['registry', 'gateway', 'proxy', 'web', 'faults']) {
      let port = await findFreePort();
      while (Object.values(ports).includes(port)) port = await findFreePort();
      ports[part] = port;
      doc.setIn([part, 'port'], port);
    }
    doc.set('name', name);
    await writeFile(file, doc.toString());

    const prepared = await runCli(['images', 'prepare', '-c', file]);
    expect(prepared.code, prepared.output).toBe(0);
    expect(prepared.output).toMatch(/^greeter-srv: mount micro-dev\/node:24$/m);

    up = new CliProcess(['up', '-c', file, '--no-tui']);
    await up.waitFor('micro-dev ready', 240_000);
    expect(await containersOf(name)).toEqual(['greeter-srv-1 running', 'greeter-srv-2 running']);

    for (let i = 0; i < 6; i++) {
      const res = await fetch(`http://127.0.0.1:${ports.gateway}/greeter/say/hello?name=John`);
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { message: 'Hello John' } });
    }
    // Through the proxy too (go-micro's HTTP transport), as `micro-dev call` does.
    const res = await fetch(`http://127.0.0.1:${ports.proxy}`, {
      method: 'POST',
      headers: { 'Micro-Service': 'go.micro.srv.greeter', 'Micro-Endpoint': 'Say.Hello', 'Content-Type': 'application/json' },
      body: '{"name":"Jane"}',
    });
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { msg: 'Hello Jane' } });
    // Both containers are registered and passing.
    const registered = (await (await fetch(`http://127.0.0.1:${ports.registry}/v1/health/service/go.micro.srv.greeter?passing`)).json()) as unknown[];
    expect(registered).toHaveLength(2);

    up.child.kill('SIGINT');
    expect(await up.exited).toEqual({ code: 0, signal: null });
    expect(await containersOf(name)).toEqual([]);
  });
});
