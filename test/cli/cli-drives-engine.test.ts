/**
 * The CLI drives what the dashboard does, against one running `up` (spawned as a user would): restart / stop
 * / start a service or an instance, fault add / rm / list, scale; wrong names get a did-you-mean (exit 2).
 * Every effect is checked in the engine's own snapshot (`status --json`) and through the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CliProcess, eventually, processesWith, repoRoot, runCli, writeTopology, type TestTopology } from '../support/cli-process.ts';
import type { InstanceView, Snapshot } from '../../runner/engine/api.ts';

const marker = `cli-drives-${process.pid}-${Date.now()}`;
const svc = (name: string) => join(repoRoot, 'services', name, 'main.ts');
let topo: TestTopology;
let up: CliProcess;

beforeAll(async () => {
  topo = await writeTopology(
    `  greeter-srv:
    module: ${svc('greeter-srv')}
    replicas: 2
  greeter-api:
    module: ${svc('greeter-api')}
    depends_on: [greeter-srv]
  sleeper:
    runtime: process
    command: ["sh", "-c", "echo sleeper started; sleep 300"]
    env: { CLI_DRIVES_MARKER: "${marker}" }
    readiness: { log: { pattern: "sleeper started", timeout: 10s } }
`,
    'cli-drives',
  );
  up = new CliProcess(['up', '-c', topo.file, '--no-tui', '--no-watch']);
  await up.waitFor('micro-dev ready', 60_000);
}, 90_000);

afterAll(async () => {
  up?.child.kill('SIGTERM');
  await up?.exited;
});

const cli = (...args: string[]) => runCli([...args, '-c', topo.file]);

async function instances(): Promise<InstanceView[]> {
  const status = await cli('status', '--json');
  if (status.code !== 0) throw new Error(`status --json: exit ${status.code}: ${status.output}`);
  return (JSON.parse(status.output) as Snapshot).instances;
}

async function instance(name: string): Promise<InstanceView | undefined> {
  return (await instances()).find((i) => i.instance === name);
}

async function hello(): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${topo.ports.gateway}/greeter/say/hello?name=John`, { signal: AbortSignal.timeout(5000) });
  await res.arrayBuffer();
  return res.status;
}

describe('the CLI drives a running up', () => {
  it('restart INSTANCE: a new generation, counted as a restart', async () => {
    const before = await instance('greeter-srv-1');
    expect(await cli('restart', 'greeter-srv-1')).toEqual({ code: 0, output: 'greeter-srv-1 restarting\n' });
    await eventually(
      async () => {
        const now = await instance('greeter-srv-1');
        return now?.state === 'ready' && now.restarts === before!.restarts + 1 && now.registryId !== before!.registryId;
      },
      30_000,
      'greeter-srv-1 to be ready again under a new registry id',
    );
    expect(await hello()).toBe(200);
  });

  it('stop SERVICE then start SERVICE: the gateway fails while it is stopped and serves once it is back', async () => {
    expect(await cli('stop', 'greeter-api')).toEqual({ code: 0, output: 'greeter-api-1 stopped\n' });
    expect((await instance('greeter-api-1'))?.state).toBe('stopped');
    await eventually(async () => (await hello()) !== 200, 15_000, 'the gateway to stop answering for greeter-api');
    expect(await cli('ready')).toEqual({ code: 0, output: 'ready: 3 service(s), 3 instance(s) (stopped: greeter-api-1)\n' });

    expect(await cli('start', 'greeter-api')).toEqual({ code: 0, output: 'greeter-api starting\n' });
    await eventually(async () => (await instance('greeter-api-1'))?.state === 'ready', 30_000, 'greeter-api-1 to be ready');
    await eventually(async () => (await hello()) === 200, 15_000, 'the gateway to answer again');
  });

  it('stop and start a process service (its process goes and comes back)', async () => {
    expect((await processesWith(marker)).length).toBeGreaterThan(0);
    expect(await cli('stop', 'sleeper')).toEqual({ code: 0, output: 'sleeper-1 stopped\n' });
    await eventually(async () => (await processesWith(marker)).length === 0, 10_000, 'the sleeper process to be gone');
    expect(await cli('start', 'sleeper-1')).toEqual({ code: 0, output: 'sleeper-1 starting\n' });
    await eventually(async () => (await instance('sleeper-1'))?.state === 'ready', 30_000, 'sleeper-1 to be ready');
    expect((await processesWith(marker)).length).toBeGreaterThan(0);
  });

  it('fault add / list / rm by instance or service, as the dashboard keys', async () => {
    expect(await cli('fault', 'list')).toEqual({ code: 0, output: 'no faults\n' });
    expect(await cli('fault', 'add', 'greeter-srv-2', 'partition')).toEqual({ code: 0, output: 'partition on for greeter-srv-2\n' });
    expect((await instance('greeter-srv-2'))?.faults).toEqual(['partition']);
    expect(await cli('fault', 'add', 'greeter-srv', 'latency')).toEqual({
      code: 0,
      output: 'latency on for greeter-srv-1; latency on for greeter-srv-2\n',
    });
    expect(await cli('fault', 'list')).toEqual({ code: 0, output: 'greeter-srv-1  latency\ngreeter-srv-2  latency, partition\n' });
    // Idempotent, like the dashboard's state: adding what is on says so.
    expect(await cli('fault', 'add', 'greeter-srv-2', 'partition')).toEqual({ code: 0, output: 'partition already on for greeter-srv-2\n' });
    expect((await cli('fault', 'rm', 'greeter-srv', 'latency')).code).toBe(0);
    expect((await cli('fault', 'rm', 'greeter-srv-2', 'partition')).code).toBe(0);
    expect(await cli('fault', 'list')).toEqual({ code: 0, output: 'no faults\n' });
    expect(await hello()).toBe(200);
  });

  it('scale SERVICE N: more replicas start and register, fewer go away; the gateway keeps serving', async () => {
    expect(await cli('scale', 'greeter-srv', '3')).toEqual({ code: 0, output: 'greeter-srv scaled to 3: starting greeter-srv-3\n' });
    await eventually(async () => (await instance('greeter-srv-3'))?.state === 'ready', 30_000, 'greeter-srv-3 to be ready');
    expect((await instance('greeter-srv-3'))?.registryId).toMatch(/^go\.micro\.srv\.greeter-/);

    expect(await cli('scale', 'greeter-srv', '1')).toEqual({ code: 0, output: 'greeter-srv scaled to 1: stopped greeter-srv-2, greeter-srv-3\n' });
    expect((await instances()).filter((i) => i.service === 'greeter-srv').map((i) => i.instance)).toEqual(['greeter-srv-1']);
    for (let i = 0; i < 5; i++) expect(await hello()).toBe(200);
  });

  it('wrong names and values: one line with a did-you-mean, exit 2, nothing changed', async () => {
    const cases: [string[], string][] = [
      [['restart', 'greeter-sr'], 'micro-dev: restart: no service or instance named "greeter-sr" (did you mean "greeter-srv"?)\n  hint: services: greeter-api, greeter-srv, sleeper\n'],
      [['fault', 'add', 'greeter-srv-1', 'partiton'], 'micro-dev: fault add: unknown fault "partiton" (did you mean "partition"?); faults: partition, heartbeat-loss, latency\n'],
      [['fault', 'ad', 'greeter-srv-1', 'partition'], 'micro-dev: unknown fault action "ad" (did you mean "add"?); usage: micro-dev fault add|rm SERVICE|INSTANCE FAULT, or fault list (FAULT: partition, heartbeat-loss, latency)\n'],
      [['scale', 'greeter-srv-1', '2'], 'micro-dev: scale: "greeter-srv-1" is an instance; scale takes a service (did you mean "greeter-srv"?)\n  hint: services: greeter-api, greeter-srv, sleeper\n'],
      [['scale', 'greeter-srv', 'two'], 'micro-dev: scale: N must be a whole number from 0 to 64, got "two"\n'],
      [['stop'], 'micro-dev: stop needs SERVICE or INSTANCE, e.g. micro-dev stop greeter-srv (every replica) or greeter-srv-1\n'],
    ];
    for (const [args, output] of cases) expect({ args, ...(await cli(...args)) }).toEqual({ args, code: 2, output });
    expect((await instances()).every((i) => i.faults.length === 0)).toBe(true);
    expect(up.child.exitCode).toBe(null);
  });
});
