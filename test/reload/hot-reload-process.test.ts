/**
 * Hot reload with the process runtime: a save starts a new child process beside the old one, traffic moves
 * to it once it is registered, the old one drains; a shutdown during a reload leaves no process behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, processesWith } from '../support/cli-process.ts';
import { startReloadFixture, type ReloadFixture } from './reload-fixture.ts';
import { steadyLoad } from './steady-load.ts';

let f: ReloadFixture;

beforeAll(async () => {
  f = await startReloadFixture({ runtime: 'process', replicas: 1 });
});
afterAll(async () => {
  await f?.close();
});

const answers = (greeting: string) => `{"message":"${greeting} John"}`;
const save = async (write: () => Promise<void>) => {
  const savedAt = performance.now();
  await write();
  return eventually(async () => f.events.find((e) => e.startedAt > savedAt), 15_000, 'a reload run after the save');
};

describe('hot reload (process runtime)', () => {
  it('each save swaps the process with zero failed requests under steady traffic', async () => {
    const pidsBefore = await processesWith(f.srvFile);
    expect(pidsBefore.length).toBeGreaterThan(0);
    const load = steadyLoad(`${f.gateway}/greeter/say/hello?name=John`, { ratePerSecond: 50, maxRequests: 1500 });
    for (let i = 1; i <= 3; i++) {
      expect(await save(() => f.edit(`Proc${i}`))).toMatchObject({ outcome: 'reloaded', replaced: 1 });
      expect(await f.hello()).toEqual({ status: 200, body: answers(`Proc${i}`) });
    }
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(new Set(result.bodies).has(answers('Proc3'))).toBe(true);
    // The old generations are gone, not left running beside the new one.
    const pidsAfter = await eventually(async () => {
      const pids = await processesWith(f.srvFile);
      return pids.length === pidsBefore.length ? pids : undefined;
    }, 10_000, 'old processes to exit');
    expect(pidsAfter.some((p) => pidsBefore.includes(p))).toBe(false);
  });

  it('a shutdown while a reload is starting its new process leaves no process behind', async () => {
    const reloading = f.lines.filter((l) => l.includes('reloading')).length;
    const savedAt = performance.now();
    await f.edit('Late');
    await eventually(async () => f.lines.filter((l) => l.includes('reloading')).length > reloading, 10_000, 'the reload to start');
    await f.close();
    // Nothing left once shutdown resolves: the supervisor's stop() cancels the reload in flight (the run is
    // over, not still waiting for readiness) and stops its new process.
    expect(f.events.filter((e) => e.startedAt > savedAt)).toMatchObject([{ outcome: 'cancelled' }]);
    expect(f.lines.filter((l) => l.includes('reload failed'))).toEqual([]);
    expect(await processesWith(f.srvFile)).toEqual([]);
  });
});
