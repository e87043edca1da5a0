/**
 * Stopping `up` from outside: SIGTERM (exit 0 within 5 s, nothing left), `down` while it is still starting,
 * `down` with nothing running, and `down` after `up` was SIGKILLed (it sweeps the stale run file). Ctrl-C and SIGKILL's orphans: up.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, eventually, processesWith, runCli } from '../support/cli-process.ts';
import { greeterSrv, listenersOn, runFileExists, writeSmallTopology, type SmallTopology } from './cli-topology.ts';

const running: CliProcess[] = [];
afterEach(() => {
  for (const cli of running.splice(0)) cli.child.kill('SIGKILL');
});

/** An `up` with greeter-srv and a process service tagged with `marker`, once it printed "micro-dev ready". */
async function readyUp(marker: string): Promise<{ topo: SmallTopology; up: CliProcess }> {
  const topo = await writeSmallTopology(`${greeterSrv}  sleeper:
    runtime: process
    command: ["sh", "-c", "echo sleeper started; sleep 300; echo done"]
    env: { STOP_TEST_MARKER: "${marker}" }
    readiness: { log: { pattern: "sleeper started", timeout: 5s } }
`);
  const up = new CliProcess(['up', '-c', topo.file, '--no-tui']);
  running.push(up);
  await up.waitFor('micro-dev ready', 30_000);
  expect(runFileExists(topo)).toBe(true);
  expect((await processesWith(marker)).length).toBeGreaterThan(0);
  return { topo, up };
}

async function expectNothingLeft(topo: SmallTopology, marker: string): Promise<void> {
  expect(runFileExists(topo)).toBe(false);
  await eventually(async () => (await processesWith(marker)).length === 0, 5000, `the ${marker} sleeper to be gone`);
  expect(await listenersOn(Object.values(topo.ports))).toEqual([]);
}

describe('stopping micro-dev up', () => {
  it('SIGTERM: exits 0 within 5 s and leaves nothing behind', async () => {
    const marker = `cli-stop-sigterm-${process.pid}-${Date.now()}`;
    const { topo, up } = await readyUp(marker);
    up.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      up.exited,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no exit 5 s after SIGTERM:\n${up.output}`)), 5000))),
    ]).finally(() => clearTimeout(timer));
    expect(exit).toEqual({ code: 0, signal: null });
    expect(up.output).toMatch(/stopping \(SIGTERM\)\n(.*\n)*.* {2}stopped\n$/);
    await expectNothingLeft(topo, marker);
  });

  it('down while up is still starting: exit 0, nothing of a later dependency wave started, nothing left', async () => {
    const slow = `cli-stop-slow-${process.pid}-${Date.now()}`;
    const later = `cli-stop-later-${process.pid}-${Date.now()}`;
    const topo = await writeSmallTopology(`  slow:
    runtime: process
    command: ["sh", "-c", "sleep 10; echo slow ready; sleep 300"]
    env: { STOP_TEST_MARKER: "${slow}" }
    readiness: { log: { pattern: "slow ready", timeout: 20s } }
  later:
    runtime: process
    command: ["sh", "-c", "echo later started; sleep 300"]
    env: { STOP_TEST_MARKER: "${later}" }
    readiness: { log: { pattern: "later started", timeout: 5s } }
    depends_on: [slow]
`);
    const up = new CliProcess(['up', '-c', topo.file, '--no-tui']);
    running.push(up);
    // The run file is written before the services start, so that down works during the start.
    await eventually(async () => runFileExists(topo) && (await processesWith(slow)).length > 0, 15_000, 'slow to be starting');
    const down = await runCli(['down', '-c', topo.file]);
    expect(down).toEqual({ code: 0, output: `stopping micro-dev up (pid ${up.child.pid})...\nstopped\n` });
    expect(await up.exited).toEqual({ code: 0, signal: null });
    expect(up.output).not.toContain('later-1');
    expect(up.output).not.toContain('micro-dev ready');
    await expectNothingLeft(topo, slow);
    expect(await processesWith(later)).toEqual([]);
  });

  it('down with nothing running says so and exits 0', async () => {
    const topo = await writeSmallTopology();
    const down = await runCli(['down', '-c', topo.file]);
    expect(down).toEqual({ code: 0, output: 'micro-dev up is not running\n' });
  });

  it('down after up was SIGKILLed removes the stale run file and exits 0', async () => {
    const marker = `cli-stop-sigkill-${process.pid}-${Date.now()}`;
    const { topo, up } = await readyUp(marker);
    const pid = up.child.pid;
    up.child.kill('SIGKILL');
    await up.exited;
    expect(runFileExists(topo)).toBe(true);
    const down = await runCli(['down', '-c', topo.file]);
    expect(down).toEqual({ code: 0, output: `micro-dev up (pid ${pid}) is gone; cleaning up after it\n` });
    await expectNothingLeft(topo, marker);
    // ...and status no longer believes a stale file.
    const status = await runCli(['status', '-c', topo.file]);
    expect(status.code).toBe(1);
    expect(status.output).toContain(`micro-dev up is not running for ${topo.file}`);
  });
});
