/**
 * Hot reload with the container runtime's mount plan (base image, project bind-mounted read-only): a save
 * starts a new container beside the old one, which reads the edited file through the mount; no rebuild.
 * Skipped without a Docker engine (MICRO_DEV_REQUIRE_DOCKER=1 makes that a failure).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/cli-process.ts';
import { dockerGate } from '../containers/container-test-kit.ts';
import { startReloadFixture, type ReloadFixture } from './reload-fixture.ts';
import { steadyLoad } from './steady-load.ts';

const gate = await dockerGate();
let f: ReloadFixture | undefined;

afterAll(async () => {
  await f?.close();
});

describe.runIf(gate.mustFail)('hot reload (container runtime, Docker required)', () => {
  it('has a Docker engine', () => {
    throw new Error(`MICRO_DEV_REQUIRE_DOCKER=1 but ${gate.reason}`);
  });
});

describe.runIf(gate.run)('hot reload (container runtime, mount plan)', () => {
  it('a save swaps the container and the new code serves, with zero failed requests', async () => {
    f = await startReloadFixture({ runtime: 'container', replicas: 1 });
    const fx = f;
    expect(await fx.hello()).toEqual({ status: 200, body: '{"message":"Hello John"}' });
    const refBefore = fx.orchestrator.snapshot().instances.find((i) => i.instance === 'greeter-srv-1')?.ref;
    const load = steadyLoad(`${fx.gateway}/greeter/say/hello?name=John`, { ratePerSecond: 40, maxRequests: 1200 });
    const savedAt = performance.now();
    await fx.edit('Docked');
    const run = await eventually(async () => fx.events.find((e) => e.startedAt > savedAt), 30_000, 'a reload run after the save');
    const result = await load.stop();
    expect(run).toMatchObject({ outcome: 'reloaded', replaced: 1 });
    expect(await fx.hello()).toEqual({ status: 200, body: '{"message":"Docked John"}' });
    expect(fx.orchestrator.snapshot().instances.find((i) => i.instance === 'greeter-srv-1')?.ref).not.toBe(refBefore);
    expect(result.failures).toEqual([]);
  });
});
