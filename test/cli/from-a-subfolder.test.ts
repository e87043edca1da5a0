/**
 * Commands run from a subfolder of the project find its micro.dev.yaml in a parent folder, as Compose does:
 * `up` started there, `validate`, `status` and `ready` from a deeper folder, and `down` from another
 * subfolder stops the running `up` (it used to say "not running", exit 0, and leave everything running).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProcess, eventually, processesWith, runCli } from '../support/cli-process.ts';
import { greeterSrv, listenersOn, runFileExists, writeSmallTopology } from './cli-topology.ts';

const marker = `from-subfolder-${process.pid}-${Date.now()}`;
const running: CliProcess[] = [];
afterAll(() => {
  for (const cli of running) cli.child.kill('SIGKILL');
});

describe('commands from a subfolder', () => {
  it('up, validate, status, ready and down find the project file in a parent folder', async () => {
    const topo = await writeSmallTopology(`${greeterSrv}  sleeper:
    runtime: process
    command: ["sh", "-c", "echo sleeper started; sleep 300"]
    env: { SUBFOLDER_MARKER: "${marker}" }
    readiness: { log: { pattern: "sleeper started", timeout: 10s } }
`);
    const src = join(topo.dir, 'services', 'mine', 'src');
    const docs = join(topo.dir, 'docs');
    await mkdir(src, { recursive: true });
    await mkdir(docs, { recursive: true });

    const up = new CliProcess(['up', '--no-tui'], { cwd: src });
    running.push(up);
    await up.waitFor('micro-dev ready', 60_000);
    expect(up.output).toContain('micro-dev cli-errors from ../../../micro.dev.yaml');
    expect(runFileExists(topo)).toBe(true);

    expect(await runCli(['validate'], src)).toEqual({ code: 0, output: '../../../micro.dev.yaml: ok\n' });
    const status = await runCli(['status', '--json'], src);
    expect(status.code).toBe(0);
    expect((JSON.parse(status.output) as { ready: boolean }).ready).toBe(true);
    expect(await runCli(['ready'], docs)).toEqual({ code: 0, output: 'ready: 2 service(s), 2 instance(s)\n' });

    const down = await runCli(['down'], docs);
    expect(down).toEqual({ code: 0, output: `stopping micro-dev up (pid ${up.child.pid})...\nstopped\n` });
    expect(await up.exited).toEqual({ code: 0, signal: null });
    await eventually(async () => (await processesWith(marker)).length === 0, 10_000, 'the sleeper to be gone');
    expect(runFileExists(topo)).toBe(false);
    expect(await listenersOn(Object.values(topo.ports))).toEqual([]);
  });

  it('outside any project: the error names the current folder (exit 2)', async () => {
    const { tmpdir } = await import('node:os');
    const { mkdtemp } = await import('node:fs/promises');
    const empty = await mkdtemp(join(tmpdir(), 'no-project-'));
    const { code, output } = await runCli(['validate'], empty);
    expect({ code, output }).toEqual({ code: 2, output: 'micro-dev: config file micro.dev.yaml not found\n' });
  });
});
