/**
 * Hot reload end to end with worker threads: a real edit of a temporary greeter-srv changes the answer
 * through the gateway; a broken edit keeps the old version serving and reports why; steady traffic sees no
 * failed request across ten reloads; an atomic save is one reload; a burst of saves ends on the last one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/cli-process.ts';
import { startReloadFixture, type ReloadFixture } from './reload-fixture.ts';
import { steadyLoad, type LoadResult } from './steady-load.ts';

let f: ReloadFixture;

beforeAll(async () => {
  f = await startReloadFixture({ runtime: 'worker', replicas: 2 });
});
afterAll(async () => {
  await f?.close();
});

const answers = (greeting: string) => `{"message":"${greeting} John"}`;
const serving = (greeting: string) => eventually(async () => (await f.hello()).body === answers(greeting), 10_000, `"${greeting}" to be served`);
/** Saves, then waits for the reload run that started after the save (the one that surely read it). */
const save = async (write: () => Promise<void>) => {
  const savedAt = performance.now();
  await write();
  return eventually(async () => f.events.find((e) => e.startedAt > savedAt), 15_000, 'a reload run after the save');
};
/**
 * For a failed load's message: each failure and each reload run on the load's clock (ms after it started),
 * and what the gateway's traces of those seconds say went wrong (the hop, the instance, the error), so a
 * failure seen once in CI says where the request was stuck.
 */
const whatFailed = async (result: LoadResult, runs: typeof f.events): Promise<string> => {
  if (result.failures.length === 0) return '';
  const wallAtStart = Date.now() - (performance.now() - result.startedAt);
  const failed = await f.orchestrator.traces({ failed: true, sinceMs: wallAtStart, limit: 10 });
  const slow = await f.orchestrator.traces({ slow: true, sinceMs: wallAtStart, limit: 10 });
  const hops = await Promise.all(
    [...failed, ...slow.filter((t) => !t.failed)].map(async (t) => {
      const spans = (await f.orchestrator.trace(t.traceId))?.spans ?? [];
      const at = (ms: number) => Math.round(ms - wallAtStart);
      return `trace ${t.traceId} at ${at(t.startMs)} ms, ${Math.round(t.durationMs)} ms: ${t.explanation ?? '-'}\n` + spans.map((s) => `    ${at(s.startMs)} +${Math.round(s.durationMs)} ms ${s.service} ${s.name} ${String(s.attributes['micro.instance'] ?? '')} ${s.error ?? ''}`).join('\n');
    }),
  );
  return [
    `failures: ${JSON.stringify(result.failures.slice(0, 50))}`,
    `reload runs (start ms, duration ms): ${JSON.stringify(runs.map((r) => [Math.round(r.startedAt - result.startedAt), Math.round(r.durationMs)]))}`,
    ...hops,
  ].join('\n');
};
const instances = () => f.orchestrator.snapshot().instances.filter((i) => i.service === 'greeter-srv');
const registered = async () => {
  const registry = f.orchestrator.snapshot().urls.registry;
  const res = await fetch(`${registry}/v1/health/service/go.micro.srv.greeter`);
  return ((await res.json()) as unknown[]).length;
};

describe('hot reload (worker runtime)', () => {
  it('a saved edit reaches the gateway', async () => {
    expect(await f.hello()).toEqual({ status: 200, body: answers('Hello') });
    const run = await save(() => f.edit('Howdy'));
    await serving('Howdy');
    expect(f.events).toHaveLength(1);
    expect(run).toMatchObject({ service: 'greeter-srv', outcome: 'reloaded', replaced: 2, failed: 0 });
  });

  it('a broken edit keeps the old version serving and says why', async () => {
    const broken = await save(() => f.writeRaw('export const = ;\n'));
    expect(broken).toMatchObject({ outcome: 'failed', replaced: 0, failed: 2 });
    expect(await f.hello()).toEqual({ status: 200, body: answers('Howdy') });
    const srv1 = instances().find((i) => i.instance === 'greeter-srv-1')!;
    expect(srv1.state).toBe('ready');
    expect(srv1.lastError).toMatch(/^reload failed: .*exited with code 1/);
    expect(f.lines.some((l) => /greeter-srv reload failed for 2 of 2 replicas/.test(l))).toBe(true);
    // Fixing it clears the error.
    expect(await save(() => f.edit('Howdy'))).toMatchObject({ outcome: 'reloaded' });
    expect(instances().every((i) => i.lastError === undefined)).toBe(true);
  });

  it('an atomic save (temp file renamed over the original) is exactly one reload', async () => {
    const before = f.events.length;
    await save(() => f.atomicSave('Hiya'));
    await serving('Hiya');
    // A second, plain save afterwards: anything the atomic save still had queued would show up before it.
    await save(() => f.edit('Hiya again'));
    await serving('Hiya again');
    expect(f.events.slice(before).map((e) => e.outcome)).toEqual(['reloaded', 'reloaded']);
  });

  it('a burst of saves, some landing mid-reload, ends with the last version and no leftover instances', async () => {
    const before = f.events.length;
    for (let i = 1; i <= 10; i++) await f.edit(`Burst${i}`); // back to back: one debounce window
    // Then saves that land while a reload is running.
    for (let i = 11; i < 14; i++) {
      const reloading = f.lines.filter((l) => l.includes('reloading')).length;
      await eventually(async () => f.lines.filter((l) => l.includes('reloading')).length > reloading, 10_000, 'a reload to start');
      await f.edit(`Burst${i}`);
    }
    const reloading = f.lines.filter((l) => l.includes('reloading')).length;
    await eventually(async () => f.lines.filter((l) => l.includes('reloading')).length > reloading, 10_000, 'a reload to start');
    const last = await save(() => f.edit('Burst14'));
    expect(last.outcome).toBe('reloaded');
    await eventually(async () => (await registered()) === 2, 10_000, 'the old generation to deregister');
    // Coalesced: 14 saves, far fewer runs (ideally 5: the burst, one per mid-reload save, the last; a loaded
    // machine can stretch the back-to-back writes past one debounce window, hence the margin).
    const runs = f.events.slice(before);
    expect(runs.length, JSON.stringify(runs)).toBeLessThanOrEqual(8);
    expect(instances().map((i) => i.state)).toEqual(['ready', 'ready']);
    expect(await registered()).toBe(2);
    expect(await f.hello()).toEqual({ status: 200, body: answers('Burst14') });
  });

  it('steady traffic through the gateway: zero failed requests across 10 consecutive reloads', async () => {
    const load = steadyLoad(`${f.gateway}/greeter/say/hello?name=John`, { ratePerSecond: 80, maxRequests: 3000 });
    const before = f.events.length;
    for (let i = 1; i <= 10; i++) {
      await save(() => f.edit(`Load${i}`));
      await serving(`Load${i}`);
    }
    const result = await load.stop();
    // Ten saves, ten runs at least (a machine under load can split a write's events over two debounce windows).
    const runs = f.events.slice(before).map((e) => e.outcome);
    expect(runs.length).toBeGreaterThanOrEqual(10);
    expect(runs.every((o) => o === 'reloaded'), JSON.stringify(runs)).toBe(true);
    expect(result.failures, await whatFailed(result, f.events.slice(before))).toEqual([]);
    expect(result.sent).toBeGreaterThan(50);
    const seen = new Set(result.bodies);
    expect(seen.size).toBeGreaterThanOrEqual(5);
    expect(seen.has(answers('Load10'))).toBe(true);
  });
});
