/**
 * `micro-dev up` that cannot start, as a user sees it: a busy port, or (with --exit-on-failure, the strict CI
 * mode) a service that dies before it is ready.
 * Each fails with one clear `micro-dev: ...` line naming the subject (the port and its holder, the instance
 * and its telling error line), tears down what it started, leaves no process, port or run file behind.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, descendants, eventually, processesWith } from '../support/cli-process.ts';
import { greeterSrv, listenersOn, runFileExists, stackTraceLine, writeSmallTopology, type SmallTopology } from './cli-topology.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
const running: CliProcess[] = [];
const held: Server[] = [];
afterEach(async () => {
  for (const cli of running.splice(0)) cli.child.kill('SIGKILL');
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** The process's exit, or a failure naming what it printed if it is still running after `ms`. */
async function exitWithin(cli: CliProcess, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms; output:\n${cli.output}`)), ms);
  });
  try {
    return await Promise.race([cli.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

function allPorts(topo: SmallTopology): number[] {
  return Object.values(topo.ports);
}

describe('micro-dev up: port already in use', () => {
  it('exits 2 at once naming the port, its role and holder, with hints; starts nothing', async () => {
    const topo = await writeSmallTopology();
    const holder = createServer();
    held.push(holder);
    await new Promise<void>((resolve) => holder.listen(topo.ports.gateway, '127.0.0.1', resolve));

    const up = new CliProcess(['up', '-c', topo.file, '--no-tui']);
    running.push(up);
    const exit = await exitWithin(up, 5000);

    expect(exit).toEqual({ code: 2, signal: null });
    const port = topo.ports.gateway;
    const pid = process.pid;
    expect(up.output).toMatch(
      new RegExp(
        `^micro-dev: port ${port} \\(gateway\\) is already in use by pid ${pid} \\(.+\\)\\n` +
          `  hint: change gateway\\.port in micro\\.dev\\.yaml\\n` +
          `  hint: or stop the process holding it: kill ${pid}\\n$`,
      ),
    );
    expect(up.output).not.toMatch(stackTraceLine);
    expect(await descendants(up.child.pid!)).toEqual([]);
    expect(runFileExists(topo)).toBe(false);
    // Everything but the held port is free again, and the holder was not disturbed.
    expect(await listenersOn(allPorts(topo).filter((p) => p !== port))).toEqual([]);
    expect(holder.listening).toBe(true);
  });
});

describe('micro-dev up --exit-on-failure: a service that dies before it is ready', () => {
  /**
   * `broken` starts after a long-lived process service (tagged with a marker) and beside greeter-srv, so
   * there is something to tear down when it fails.
   */
  async function crashTopology(broken: string, marker: string): Promise<SmallTopology> {
    return writeSmallTopology(`  sleeper:
    runtime: process
    command: ["sh", "-c", "echo sleeper started; sleep 300; echo done"]
    env: { CRASH_MARKER: "${marker}" }
    readiness: { log: { pattern: "sleeper started", timeout: 5s } }
${greeterSrv}  broken:
${broken}    depends_on: [sleeper]
`);
  }

  async function expectFailedStart(topo: SmallTopology, marker: string, reason: string): Promise<string> {
    const up = new CliProcess(['up', '-c', topo.file, '--no-tui', '--exit-on-failure']);
    running.push(up);
    const exit = await exitWithin(up, 20_000);
    expect(exit).toEqual({ code: 1, signal: null });
    const lines = up.output.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(`micro-dev: broken-1 exited with code 1 before it was ready: ${reason}`);
    expect(up.output).toMatch(new RegExp(`broken-1 +failed +broken-1 exited with code 1 before it was ready`));
    expect(up.output).not.toContain('micro-dev ready');
    // The service's own log may carry its stack; micro-dev's own code must never appear in one.
    expect(up.output).not.toMatch(/^\s+at .*\/runner\//m);
    expect(up.output).not.toContain('internal error');
    await eventually(async () => (await processesWith(marker)).length === 0, 5000, 'the sleeper to be stopped');
    expect(runFileExists(topo)).toBe(false);
    expect(await listenersOn(allPorts(topo))).toEqual([]);
    return up.output;
  }

  it('a worker module with a syntax error: the reason leads with FILE:LINE:COL', async () => {
    const marker = `cli-syntax-worker-${process.pid}-${Date.now()}`;
    // Written here, not kept as a fixture: the repository's own checks would trip on it.
    const dir = await mkdtemp(join(tmpdir(), 'micro-dev-syntax-'));
    const module = join(dir, 'syntax-error.ts');
    await writeFile(module, '// A worker service with a typo: it does not even parse.\nconst port: number = (;\nexport {};\n');
    const topo = await crashTopology(`    module: ${module}\n`, marker);
    await expectFailedStart(topo, marker, `${module}:2:23: SyntaxError: Expression expected`);
  });

  it('a worker module that throws at import: names the instance and the error, tears down, exits 1', async () => {
    const marker = `cli-crash-worker-${process.pid}-${Date.now()}`;
    const topo = await crashTopology(`    module: ${join(fixtures, 'throws-at-import.ts')}\n`, marker);
    const output = await expectFailedStart(topo, marker, 'test/cli/fixtures/throws-at-import.ts:2:7: Error: boom-at-import: database URL is not set');
    // Only the first start: a service that cannot load is not restarted over and over.
    expect(output.match(/broken-1 +starting/g)).toHaveLength(1);
    expect(output).toMatch(/sleeper-1 +stopped/);
  });

  it('a process that exits 1 at once: names the instance and its stderr line, tears down, exits 1', async () => {
    const marker = `cli-crash-process-${process.pid}-${Date.now()}`;
    const topo = await crashTopology(
      `    runtime: process\n    command: ["${process.execPath}", "${join(fixtures, 'exits-at-start.mjs')}"]\n`,
      marker,
    );
    await expectFailedStart(topo, marker, 'fatal: cannot open config /etc/exits-at-start.conf');
  });
});
