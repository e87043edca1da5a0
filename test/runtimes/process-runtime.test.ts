import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessRuntime } from '../../runner/runtimes/process/process-runtime.ts';
import { Wait } from '../../runner/runtimes/wait/wait.ts';
import type { StartedInstance } from '../../runner/runtimes/runtime.ts';
import { exitLines } from '../../runner/runtimes/worker/exit-report.ts';
import { fixtureService } from './fixtures/fixture-service.ts';
import { LogRecorder } from './fixtures/log-recorder.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const runtime = new ProcessRuntime();
const started: StartedInstance[] = [];

async function start(command: string[], env: Record<string, string> = {}, cwd = process.cwd()) {
  const instance = await runtime.start(
    { instance: 'fixture-1', service: fixtureService({ command, cwd }), env },
    { signal: new AbortController().signal },
  );
  started.push(instance);
  return { instance, logs: new LogRecorder(instance) };
}

async function listening(logs: LogRecorder): Promise<number> {
  const line = await logs.waitFor(/^listening \d+/);
  return Number(line.line.split(' ')[1]);
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((i) => i.stop(200)));
});

describe('ProcessRuntime', () => {
  it('runs the command with spec.env, reports its pid as ref and captures its lines', async () => {
    const { instance, logs } = await start([process.execPath, fixture('trap-term.ts')], { FIXTURE_VAR: 'yes' });
    expect(instance.kind).toBe('process');
    expect(instance.ref).toMatch(/^\d+$/);
    const line = await logs.waitFor(/^listening/);
    expect(line).toMatchObject({ instance: 'fixture-1', stream: 'stdout' });
    expect(line.line).toMatch(/env=yes$/);
  });

  it('stop() sends SIGTERM and reports the command exit code', async () => {
    const { instance, logs } = await start([process.execPath, fixture('trap-term.ts')]);
    await listening(logs);
    expect(await instance.stop(5000)).toMatchObject({ code: 7, signal: null, requested: true });
    expect(logs.text()).toContain('got SIGTERM, exiting 7');
  });

  it('stop() forces SIGKILL after the grace when SIGTERM is ignored', async () => {
    const { instance, logs } = await start([process.execPath, fixture('trap-term.ts'), 'ignore-term']);
    await listening(logs);
    expect(await instance.stop(300)).toMatchObject({ code: null, signal: 'SIGKILL', requested: true });
    expect(logs.text()).toContain('ignoring SIGTERM');
  });

  it('kill() ends it at once with SIGKILL, not requested', async () => {
    const { instance, logs } = await start([process.execPath, fixture('trap-term.ts'), 'ignore-term']);
    await listening(logs);
    instance.kill();
    expect(await instance.exited).toMatchObject({ code: null, signal: 'SIGKILL', requested: false });
  });

  it('reports a shell trap exit code', async () => {
    const { instance, logs } = await start(['sh', '-c', 'trap "echo bye; exit 3" TERM; echo hi; while :; do sleep 0.05; done']);
    await logs.waitFor(/^hi$/);
    expect(await instance.stop(5000)).toMatchObject({ code: 3, requested: true });
    expect(logs.text()).toContain('bye');
  });

  it('pause() freezes the whole process (no answer), resume() brings it back', async () => {
    const { instance, logs } = await start([process.execPath, fixture('trap-term.ts')]);
    const url = `http://127.0.0.1:${await listening(logs)}/`;
    expect(await (await fetch(url)).text()).toBe('pong');
    await instance.pause();
    await expect(fetch(url, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    await instance.resume();
    expect(await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text()).toBe('pong');
  });

  it('a paused process still stops', async () => {
    const { instance, logs } = await start([process.execPath, fixture('trap-term.ts')]);
    await listening(logs);
    await instance.pause();
    expect(await instance.stop(5000)).toMatchObject({ code: 7, requested: true });
  });

  it('keeps the last stderr lines of a command that exits at once', async () => {
    const { instance, logs } = await start(['sh', '-c', 'echo starting; echo "config missing: FOO" >&2; exit 2']);
    const exit = await instance.exited;
    // Written before start() resolved, perhaps: still delivered to whoever subscribed right after it.
    expect(logs.text()).toEqual(expect.arrayContaining(['starting', 'config missing: FOO']));
    expect(exit).toMatchObject({ code: 2, signal: null, requested: false });
    expect(exitLines(exit)).toEqual(['config missing: FOO']);
    await expect(instance.pause()).rejects.toMatchObject({ code: 'NOT_RUNNING' });
  });

  it('a wait strategy explains a real Node crash by its error line', async () => {
    const { instance } = await start([process.execPath, '-e', 'console.log("booting"); throw new Error("database unreachable")']);
    const waiting = Wait.forRegistered().wait(
      { instance, serverId: 'x', registryAddress: '127.0.0.1:1', host: '127.0.0.1' },
      { signal: new AbortController().signal },
    );
    await expect(waiting).rejects.toThrow('fixture-1 exited with code 1 before it was ready: Error: database unreachable');
  });

  it('rejects START_FAILED naming the instance, the command and the cwd when it cannot run', async () => {
    await expect(start(['no-such-command-xyz', '--flag'], {}, '/tmp')).rejects.toMatchObject({
      code: 'START_FAILED',
      message: 'fixture-1: cannot run "no-such-command-xyz": not found (cwd /tmp)',
    });
    const plain = join(mkdtempSync(join(tmpdir(), 'micro-dev-')), 'not-executable.sh');
    writeFileSync(plain, 'echo hi\n', { mode: 0o644 });
    await expect(start([plain], {}, '/tmp')).rejects.toMatchObject({
      message: `fixture-1: cannot run "${plain}": not executable (cwd /tmp)`,
    });
    await expect(start(['sh'], {}, '/nonexistent-dir')).rejects.toMatchObject({
      message: 'fixture-1: cannot run "sh": cwd /nonexistent-dir is not a directory',
    });
  });
});
