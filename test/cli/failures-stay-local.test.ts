/**
 * Failures stay local (`up` without --exit-on-failure): a worker that throws at start-up and a process that
 * never becomes ready sit beside the greeter. Both are shown failed and retried by their restart policy; the
 * greeter keeps answering through the gateway the whole time; greeter-api starts as soon as greeter-srv is
 * ready, not after an unrelated slow service; `micro-dev ready` names what is not ready and why.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, eventually, processesWith, repoRoot, runCli, writeTopology, type TestTopology } from '../support/cli-process.ts';
import { stackTraceLine } from './cli-topology.ts';

const marker = `failures-local-${process.pid}-${Date.now()}`;
const svc = (name: string) => join(repoRoot, 'services', name, 'main.ts');
let topo: TestTopology;
let up: CliProcess;
let gate: string;

beforeAll(async () => {
  topo = await writeTopology(
    `  greeter-srv:
    module: ${svc('greeter-srv')}
  greeter-api:
    module: ${svc('greeter-api')}
    depends_on: [greeter-srv]
  bad-srv:
    module: ${join(import.meta.dirname, 'fixtures', 'throws-at-import.ts')}
    restart: { policy: on-failure, max_restarts: 2, backoff: 2s }
  never-ready:
    runtime: process
    command: ["sh", "-c", "echo never-ready starting; sleep 300"]
    env: { FAILURES_LOCAL_MARKER: "${marker}" }
    readiness: { log: { pattern: "this line never comes", timeout: 1s } }
    restart: { policy: on-failure, max_restarts: 1, backoff: 100ms }
  slow:
    runtime: process
    command: ["sh", "-c", 'while [ ! -f "$SLOW_GATE" ]; do sleep 0.05; done; echo slow ready; sleep 300']
    env: { FAILURES_LOCAL_MARKER: "${marker}", SLOW_GATE: "${join(tmpdir(), marker)}" }
    readiness: { log: { pattern: "slow ready", timeout: 60s } }
  after-bad:
    runtime: process
    command: ["sh", "-c", "echo after-bad started; sleep 300"]
    readiness: { log: { pattern: "after-bad started", timeout: 5s } }
    depends_on: [bad-srv]
`,
    'failures-local',
  );
  gate = join(tmpdir(), marker);
  up = new CliProcess(['up', '-c', topo.file, '--no-tui']);
}, 90_000);

afterAll(async () => {
  up?.child.kill('SIGKILL');
  await eventually(async () => (await processesWith(marker)).length === 0, 10_000, 'the process services to be gone').catch(() => undefined);
});

async function hello(): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${topo.ports.gateway}/greeter/say/hello?name=John`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.text() };
}

describe('a service that cannot start does not take the topology down', () => {
  it('greeter-api starts on greeter-srv alone and answers through the gateway while bad-srv is retried', async () => {
    // slow cannot be ready before the test creates its gate file: waves would hold greeter-api back forever.
    await up.waitFor(/greeter-api-1 +ready/, 60_000);
    expect(up.output).not.toMatch(/slow-1 +ready/);
    const answers: { status: number; body: string; whileRetrying: boolean }[] = [];
    await eventually(
      async () => {
        const whileRetrying = !/bad-srv-1 +failed/.test(up.output);
        answers.push({ ...(await hello()), whileRetrying });
        return /bad-srv-1 +failed/.test(up.output) && /never-ready-1 +failed/.test(up.output);
      },
      60_000,
      'bad-srv-1 and never-ready-1 to be failed',
    );
    expect(answers.filter((a) => a.whileRetrying).length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status !== 200 || a.body !== '{"message":"Hello John"}')).toEqual([]);
    expect(up.child.exitCode).toBe(null);

    // bad-srv: the first start and max_restarts (2) restarts, each failing before it was ready.
    expect(up.output.match(/bad-srv-1 +starting/g)).toHaveLength(3);
    expect(up.output.match(/bad-srv-1 +crashed +bad-srv-1 exited with code 1 before it was ready: test\/cli\/fixtures\/throws-at-import\.ts:2:7: Error: boom-at-import: database URL is not set; restarting in \d+ ms/g)).toHaveLength(2);
    expect(up.output).toMatch(/bad-srv-1 +failed +bad-srv-1 exited with code 1 before it was ready: test\/cli\/fixtures\/throws-at-import\.ts:2:7: Error: boom-at-import: database URL is not set; gave up after 2 restarts/);
    // never-ready: readiness times out, it is stopped and restarted once, then given up.
    expect(up.output.match(/never-ready-1 +starting/g)).toHaveLength(2);
    expect(up.output).toMatch(/never-ready-1 +failed +.*this line never comes.*; gave up after 1 restarts/);
    expect(up.output).not.toContain('micro-dev ready');
    expect(up.output).not.toMatch(stackTraceLine);
    expect(up.output).not.toContain('internal error');

    await writeFile(gate, '');
    await up.waitFor(/slow-1 +ready/, 30_000);
    await up.waitFor('micro-dev running with', 60_000);
    // What depends on the broken service waits for it and never starts.
    expect(up.output).not.toMatch(/after-bad-1 +starting/);
  });

  it('micro-dev ready names the services that are not ready, with the reason and last lines, and exits 1', async () => {
    const ready = await runCli(['ready', '-c', topo.file]);
    expect(ready.code).toBe(1);
    const lines = ready.output.split('\n');
    expect(lines[0]).toBe('not ready: after-bad, bad-srv, never-ready (3 of 6 services ready)');
    expect(ready.output).toMatch(/^ {2}bad-srv-1 +failed +bad-srv-1 exited with code 1 before it was ready: test\/cli\/fixtures\/throws-at-import\.ts:2:7: Error: boom-at-import: database URL is not set \(2 restarts\)$/m);
    expect(ready.output).toMatch(/^ {2}never-ready-1 +failed +.*this line never comes.* \(1 restart\)$/m);
    expect(ready.output).toMatch(/^ +\| never-ready starting$/m);
    expect(ready.output).toMatch(/^ {2}after-bad-1 +pending +waiting for bad-srv$/m);
    expect(ready.output).not.toMatch(/greeter-srv-1|greeter-api-1|slow-1/);
    expect(up.output).not.toMatch(/after-bad-1 +starting/);

    const status = await runCli(['status', '--json', '-c', topo.file]);
    const instances = (JSON.parse(status.output) as { instances: { instance: string; state: string; restarts: number }[] }).instances;
    expect(instances.find((i) => i.instance === 'bad-srv-1')).toMatchObject({ state: 'failed', restarts: 2 });
    expect(instances.find((i) => i.instance === 'greeter-api-1')).toMatchObject({ state: 'ready' });
    expect(await hello()).toEqual({ status: 200, body: '{"message":"Hello John"}' });
  });

  it('SIGTERM still stops everything and exits 0', async () => {
    up.child.kill('SIGTERM');
    expect(await up.exited).toEqual({ code: 0, signal: null });
    await eventually(async () => (await processesWith(marker)).length === 0, 10_000, 'the process services to be gone');
  });
});
