import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MicroDevError } from '../../runner/errors/micro-dev-error.ts';
import type { StartedInstance } from '../../runner/runtimes/runtime.ts';
import { exitLines } from '../../runner/runtimes/worker/exit-report.ts';
import { WorkerRuntime } from '../../runner/runtimes/worker/worker-runtime.ts';
import { fixtureService } from './fixtures/fixture-service.ts';
import { LogRecorder } from './fixtures/log-recorder.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const runtime = new WorkerRuntime();
const started: StartedInstance[] = [];
const signal = () => new AbortController().signal;

async function start(module: string, env: Record<string, string> = {}) {
  const instance = await runtime.start(
    { instance: 'fixture-1', service: fixtureService({ runtime: 'worker', module }), env },
    { signal: signal() },
  );
  started.push(instance);
  return { instance, logs: new LogRecorder(instance) };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((i) => i.stop(100)));
});

describe('WorkerRuntime', () => {
  it('captures stdout and stderr line by line, with exactly spec.env as process.env', async () => {
    const { instance, logs } = await start(fixture('worker-service.ts'), { MICRO_SERVER_ID: 'abc', OTHER: 'x' });
    expect(instance.kind).toBe('worker');
    expect(instance.ref).toMatch(/^tid:\d+$/);
    const line = await logs.waitFor(/^started/);
    expect(line).toMatchObject({ instance: 'fixture-1', stream: 'stdout', line: 'started with MICRO_SERVER_ID=abc keys=MICRO_SERVER_ID,OTHER' });
    expect(typeof line.at).toBe('number');
    expect((await logs.waitFor(/stderr/)).stream).toBe('stderr');
  });

  it('stops gracefully on the stop message', async () => {
    const { instance, logs } = await start(fixture('worker-service.ts'));
    await logs.waitFor(/^started/);
    const exit = await instance.stop(5000);
    expect(exit).toMatchObject({ code: 0, signal: null, requested: true });
    expect(logs.text()).toContain('stopping gracefully');
    expect(await instance.stop(5000)).toBe(exit); // idempotent
  });

  it('terminates a worker that ignores stop once the grace has passed', async () => {
    const { instance, logs } = await start(fixture('worker-ignore-stop.ts'));
    await logs.waitFor(/running forever/);
    const exit = await instance.stop(100);
    expect(exit).toMatchObject({ code: null, signal: 'SIGKILL', requested: true });
    expect(logs.text()).toContain('stop? no.');
  });

  it('kill() terminates at once and is not a requested exit', async () => {
    const { instance, logs } = await start(fixture('worker-ignore-stop.ts'));
    await logs.waitFor(/running forever/);
    instance.kill();
    expect(await instance.exited).toMatchObject({ code: null, signal: 'SIGKILL', requested: false });
  });

  it('reports an uncaught error as exit code 1 with the message on stderr, without hurting the parent', async () => {
    const { instance, logs } = await start(fixture('worker-crash.ts'));
    const exit = await instance.exited;
    expect(exit).toMatchObject({ code: 1, signal: null, requested: false });
    expect(logs.lines.find((l) => l.stream === 'stderr')?.line).toBe('test/runtimes/fixtures/worker-crash.ts:4:9: Error: kaboom: database unreachable');
    expect(exitLines(exit)).toEqual(['test/runtimes/fixtures/worker-crash.ts:4:9: Error: kaboom: database unreachable']);
  });

  it('refuses pause and resume, saying why', async () => {
    const { instance } = await start(fixture('worker-service.ts'));
    await expect(instance.pause()).rejects.toThrow(/cannot pause fixture-1: it runs as a worker thread/);
    await expect(instance.resume()).rejects.toBeInstanceOf(MicroDevError);
  });

  it('aborting the signal during start stops what was started', async () => {
    const controller = new AbortController();
    const starting = runtime.start(
      { instance: 'fixture-1', service: fixtureService({ runtime: 'worker', module: fixture('worker-ignore-stop.ts') }), env: {} },
      { signal: controller.signal },
    );
    controller.abort(new Error('topology going down'));
    await expect(starting).rejects.toThrow('topology going down');
  });

  it('rejects START_FAILED for a module that does not exist', async () => {
    await expect(start('/nonexistent/main.ts')).rejects.toMatchObject({
      code: 'START_FAILED',
      message: 'fixture-1: cannot load module "/nonexistent/main.ts": not found',
    });
  });
});
