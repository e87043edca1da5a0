/**
 * `scenario run --against URL --compose FILE` on the Compose export of the default topology, running for
 * real on the local Docker engine: the faults are docker commands (kill, network disconnect, pause) seen in
 * Docker's own event stream, each undone at its heal; a fault docker cannot make is reported not applied,
 * and what the run cannot observe is unjudged (exit 2), never passed. Afterwards every container runs again
 * and the greeter answers. Skipped without Docker; MICRO_DEV_REQUIRE_DOCKER=1 (CI) makes that a failure.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBaseImage } from '../../runner/images/base-image.ts';
import { findListenPort } from '../../runner/net/find-listen-port.ts';
import { connectDocker } from '../../runner/runtimes/container/docker-client.ts';
import { dockerGate, waitFor } from '../containers/container-test-kit.ts';
import { runCli } from '../support/cli-process.ts';
import { findCompose } from '../export/compose-kit.ts';

const run = promisify(execFile);
const gate = await dockerGate();
const compose = await findCompose();
const project = `mdagainst${process.pid}${Math.floor(Math.random() * 1e6)}`;
let out = '';
let env: NodeJS.ProcessEnv = {};
let started = false;

async function composeCmd(args: string[], timeout = 600_000): Promise<string> {
  const [cmd, ...pre] = compose!;
  const { stdout, stderr } = await run(cmd!, [...pre, '-p', project, '-f', join(out, 'compose.yaml'), ...args], { env, timeout, maxBuffer: 64 * 1024 * 1024 });
  return stdout + stderr;
}

const drill = `description: docker faults on the Compose export
load: {rate: 20}
steps:
  - {id: crash, at: 1s, fault: kill, target: {service: greeter-srv, count: 1}, duration: 3s}
  - {id: cut, at: 8s, fault: partition, target: {service: greeter-srv, count: 1}, duration: 2s}
  - {id: silence, at: 11s, fault: heartbeat-loss, target: {service: greeter-srv, count: 1}, duration: 1s}
  - {id: freeze, at: 13s, fault: pause, target: {service: greeter-srv, count: 1}, duration: 2s}
settle: 60s
expect:
  - {metric: availability, during: run, min: 1}
  - {metric: restarts, step: crash, min: 1}
  - {metric: availability, during: silence, min: 99}
`;

describe.runIf(gate.mustFail || (gate.run && !compose && process.env.MICRO_DEV_REQUIRE_DOCKER === '1'))('scenario run --compose (Docker required)', () => {
  it('has a Docker engine and compose', () => {
    throw new Error(`MICRO_DEV_REQUIRE_DOCKER=1 but ${gate.mustFail ? gate.reason : 'neither docker-compose nor docker compose runs'}`);
  });
});

describe.runIf(gate.run && compose)('scenario run --against the Compose export, faults by docker commands', () => {
  let gateway = 0;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'micro-dev-against-compose-'));
    await ensureBaseImage(await connectDocker());
    const exported = await runCli(['export', 'compose', '-o', out]);
    if (exported.code !== 0) throw new Error(exported.output);
    gateway = await findListenPort();
    env = {
      ...process.env,
      MICRO_DEV_GATEWAY_PORT: String(gateway),
      MICRO_DEV_PROXY_PORT: String(await findListenPort()),
      MICRO_DEV_WEB_PORT: String(await findListenPort()),
      MICRO_DEV_REGISTRY_PORT: String(await findListenPort()),
    };
    started = true;
    await composeCmd(['up', '-d', '--build']);
    await waitFor('the greeter through the exported gateway', async () => greeting(), 180_000);
  }, 900_000);

  afterAll(async () => {
    if (started) await composeCmd(['down', '-v', '--rmi', 'local', '--remove-orphans', '-t', '5'], 180_000);
    if (out) await rm(out, { recursive: true, force: true });
  }, 240_000);

  async function greeting(): Promise<unknown> {
    const res = await fetch(`http://127.0.0.1:${gateway}/greeter/say/hello?name=John`).catch(() => undefined);
    return res?.status === 200 ? await res.json() : undefined;
  }

  it('kills, disconnects and pauses containers, heals them, and judges only what it saw', { timeout: 300_000 }, async () => {
    const docker = await connectDocker();
    await writeFile(join(out, 'drill.yaml'), drill);
    const since = Math.floor(Date.now() / 1000);
    const json = join(out, 'report.json');
    const result = await runCli(['scenario', 'run', join(out, 'drill.yaml'), '--against', `http://127.0.0.1:${gateway}`, '--compose', join(out, 'compose.yaml'), '--json', json]);
    const until = Math.ceil(Date.now() / 1000) + 1;
    const r = JSON.parse(await readFile(json, 'utf8').catch(() => `{"scenarios":[{"error":${JSON.stringify(result.output)}}]}`)).scenarios[0];
    expect(r.against, result.output).toMatch(/^the Compose project of .*compose\.yaml at http:\/\/127\.0\.0\.1:\d+ \(faults by docker commands; only the load is observed\)$/);
    expect(r.steps.map((s: { id: string; fault: string }) => `${s.id} ${s.fault}`)).toEqual(['crash kill', 'cut partition', 'freeze pause']);
    for (const s of r.steps) expect(s.targets, s.id).toEqual([expect.stringMatching(/greeter-srv/)]);
    expect(r.notApplied).toEqual([expect.objectContaining({ step: 'silence', fault: 'heartbeat-loss', reason: expect.stringContaining('docker can cut a container off a network, not one of its flows') })]);
    expect(r.expectations).toEqual([
      expect.objectContaining({ label: 'availability during run (load) >= 1%', ok: true }),
      expect.objectContaining({ unjudged: expect.stringMatching(/^restarts needs the registry's and the instances' view/) }),
      expect.objectContaining({ unjudged: 'step silence was not applied: docker can cut a container off a network, not one of its flows (its registry traffic only)' }),
    ]);
    expect(r.verdict).toBe('unjudged');
    expect(result.code).toBe(2);

    // Docker's own events: each fault happened to the target and was undone.
    const byName = (step: string) => r.steps.find((s: { id: string }) => s.id === step).targets[0] as string;
    const stream = await docker.getEvents({ since, until, filters: { type: ['container', 'network'] } });
    // One JSON object per event; a chunk may end mid-object, so the whole stream is read first.
    let text = '';
    for await (const chunk of stream as AsyncIterable<Buffer>) text += chunk.toString();
    const events = text
      .split(/\n|(?<=\})(?=\{)/)
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { Action: string; Actor: { Attributes: Record<string, string> } });
    const actions = (name: string) => events.filter((e) => e.Actor.Attributes.name === name).map((e) => e.Action);
    expect(actions(byName('crash'))).toEqual(expect.arrayContaining(['kill', 'die', 'start']));
    const containerId = (await docker.getContainer(byName('cut')).inspect()).Id;
    const network = events.filter((e) => e.Actor.Attributes.container === containerId).map((e) => e.Action);
    expect(network).toEqual(expect.arrayContaining(['disconnect', 'connect']));
    // greeter-srv is a worker under `up` (a thread cannot be frozen), a container here: docker pause, then unpause.
    const frozen = actions(byName('freeze'));
    expect(frozen).toEqual(expect.arrayContaining(['pause', 'unpause']));
    expect(frozen.lastIndexOf('unpause')).toBeGreaterThan(frozen.lastIndexOf('pause'));

    // Healed: every container runs, none paused, and the greeter answers again.
    const ps = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
    expect(ps.map((c) => c.State)).toEqual(ps.map(() => 'running'));
    expect(await waitFor('the greeter after the drill', async () => greeting(), 60_000)).toEqual({ message: 'Hello John' });
  });
});
