/**
 * Mistakes made while an `up` runs, against one shared `up`: a call to a service that does not exist, a second
 * `up` on the same config (refused, the first undisturbed), then `down` (stops it cleanly, nothing left).
 * The tests run in order and share the `up`; the last one stops it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relative } from 'node:path';
import { CliProcess, eventually, processesWith, repoRoot, runCli } from '../support/cli-process.ts';
import { greeterSrv, listenersOn, runFileExists, writeSmallTopology, type SmallTopology } from './cli-topology.ts';

const marker = `cli-running-up-${process.pid}-${Date.now()}`;
let topo: SmallTopology;
let up: CliProcess;

beforeAll(async () => {
  topo = await writeSmallTopology(`${greeterSrv}  sleeper:
    runtime: process
    command: ["sh", "-c", "echo sleeper started; sleep 300; echo done"]
    env: { RUNNING_UP_MARKER: "${marker}" }
    readiness: { log: { pattern: "sleeper started", timeout: 5s } }
`);
  up = new CliProcess(['up', '-c', topo.file, '--no-tui']);
  await up.waitFor('micro-dev ready', 30_000);
});

afterAll(() => {
  up?.child.kill('SIGKILL');
});

async function greeterAnswers(): Promise<void> {
  const call = await runCli(['call', 'go.micro.srv.greeter', 'Say.Hello', '{"name":"John"}', '-c', topo.file]);
  expect(call).toEqual({ code: 0, output: '{\n  "msg": "Hello John"\n}\n' });
}

describe('micro-dev with an up running', () => {
  it('call to an unknown service names it and lists the services there are (exit 1)', async () => {
    const { code, output } = await runCli(['call', 'go.micro.srv.nobody', 'Say.Hello', '{}', '-c', topo.file]);
    expect(code).toBe(1);
    expect(output).toBe('micro-dev: call: no service named go.micro.srv.nobody\n  hint: services: go.micro.srv.greeter\n');
  });

  it('a second up on the same config is refused (exit 2) with the pid and hints, and the first keeps serving', async () => {
    const second = await runCli(['up', '-c', topo.file, '--no-tui']);
    expect(second.code).toBe(2); // could not run, as a busy port or a bad config
    expect(second.output).toBe(
      `micro-dev: micro-dev up is already running for ${relative(repoRoot, topo.file)} (pid ${up.child.pid})\n` +
        `  hint: stop it with: npx micro-dev down -c ${topo.file}\n` +
        `  hint: or attach to it with: npx micro-dev ui -c ${topo.file}\n`,
    );
    expect(up.child.exitCode).toBe(null);
    expect(runFileExists(topo)).toBe(true);
    await greeterAnswers();
    const status = await runCli(['status', '--json', '-c', topo.file]);
    expect(status.code).toBe(0);
    expect((JSON.parse(status.output) as { ready: boolean }).ready).toBe(true);
  });

  it('down stops it: exit 0, up exits 0, run file gone, no process or port left', async () => {
    expect((await processesWith(marker)).length).toBeGreaterThan(0);
    const down = await runCli(['down', '-c', topo.file]);
    expect(down).toEqual({ code: 0, output: `stopping micro-dev up (pid ${up.child.pid})...\nstopped\n` });
    expect(await up.exited).toEqual({ code: 0, signal: null });
    expect(up.output).toContain('stopping (shutdown)');
    expect(runFileExists(topo)).toBe(false);
    await eventually(async () => (await processesWith(marker)).length === 0, 5000, 'the sleeper to be stopped');
    expect(await listenersOn(Object.values(topo.ports))).toEqual([]);
  });
});
