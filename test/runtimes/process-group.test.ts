// An instance is its whole process group: what the command started goes when it goes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ProcessRuntime } from '../../runner/runtimes/process/process-runtime.ts';
import { fixtureService } from './fixtures/fixture-service.ts';
import { LogRecorder } from './fixtures/log-recorder.ts';

const runtime = new ProcessRuntime();

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X'; // a zombie is dead, only not yet reaped
  } catch {
    return false;
  }
}

async function goneWithin(pid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (let delay = 10; isAlive(pid); delay = Math.min(delay * 2, 100)) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} still alive after ${ms}ms`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

function start(command: string[], stopTimeoutMs = 2000) {
  return runtime.start(
    { instance: 'fixture-1', service: fixtureService({ command, stopTimeoutMs }), env: {} },
    { signal: new AbortController().signal },
  );
}

describe('process groups', () => {
  it('stop() takes the grandchildren down with the command', async () => {
    const instance = await start([process.execPath, fileURLToPath(new URL('./fixtures/spawn-grandchild.ts', import.meta.url))]);
    const logs = new LogRecorder(instance);
    const [, command, grandchild] = (await logs.waitFor(/^pids /)).line.split(' ').map(Number);
    expect(String(command)).toBe(instance.ref);
    expect(isAlive(grandchild)).toBe(true);
    await instance.stop(2000);
    await goneWithin(grandchild, 3000);
  });

  it('background jobs left behind by a command that exits are terminated too', async () => {
    const instance = await start(['sh', '-c', 'sleep 30 & echo "bg $!"; exit 0'], 500);
    const logs = new LogRecorder(instance);
    const background = Number((await logs.waitFor(/^bg \d+$/)).line.split(' ')[1]);
    expect(await instance.exited).toMatchObject({ code: 0, requested: false });
    await goneWithin(background, 3000);
  });

  it('aborting the signal during start stops what was started', async () => {
    const controller = new AbortController();
    const starting = runtime.start(
      { instance: 'fixture-1', service: fixtureService({ command: ['sleep', '30'] }), env: {} },
      { signal: controller.signal },
    );
    controller.abort(new Error('topology going down'));
    await expect(starting).rejects.toThrow('topology going down');
  });
});

describe('a guard killed from outside', () => {
  it('takes its group with it (micro-dev kills the group when the guard vanishes unannounced)', async () => {
    const instance = await start([process.execPath, fileURLToPath(new URL('./fixtures/spawn-grandchild.ts', import.meta.url))]);
    const logs = new LogRecorder(instance);
    const [, command, grandchild] = (await logs.waitFor(/^pids /)).line.split(' ').map(Number);
    const guardPid = Number(readFileSync(`/proc/${command}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    expect(readFileSync(`/proc/${guardPid}/cmdline`, 'utf8')).toContain('guard.ts\0fixture-1');
    process.kill(guardPid, 'SIGKILL');
    expect(await instance.exited).toMatchObject({ code: null, signal: 'SIGKILL' });
    await goneWithin(command, 3000);
    await goneWithin(grandchild, 3000);
  });
});

describe('signals meant for micro-dev', () => {
  it('Ctrl-C (SIGINT to the guard) leaves the instance to micro-dev; SIGTERM to the guard stops it', async () => {
    const instance = await start([process.execPath, fileURLToPath(new URL('./fixtures/trap-term.ts', import.meta.url))]);
    const logs = new LogRecorder(instance);
    await logs.waitFor(/^listening/);
    const guardPid = Number(readFileSync(`/proc/${instance.ref}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    process.kill(guardPid, 'SIGINT');
    process.kill(guardPid, 'SIGTERM');
    // Had SIGINT killed the guard, it could not have reported anything: micro-dev would have SIGKILLed the
    // group and `exited` would carry the guard's signal. Code 7 is the command's own, relayed by the guard.
    expect(await instance.exited).toMatchObject({ code: 7, requested: false });
    expect(logs.text()).toContain('got SIGTERM, exiting 7');
  });
});
