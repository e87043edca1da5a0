/**
 * The engine's instance faults act through real links on real traffic: heartbeat loss turns an instance
 * critical in the registry while it keeps serving; a partition takes it out of the data path and the
 * gateway keeps answering from the other replica; healing brings it back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import { eventually, writeTestTopology } from '../support/cli-process.ts';

let orchestrator: Orchestrator;
let gateway: string;

beforeAll(async () => {
  const topo = await writeTestTopology();
  const topology = await loadTopology(topo.file);
  orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology) });
  await orchestrator.start();
  gateway = orchestrator.snapshot().urls.gateway;
});
afterAll(async () => {
  await orchestrator?.shutdown();
});

const hello = async () => {
  const res = await fetch(`${gateway}/greeter/say/hello?name=John`);
  return { status: res.status, body: await res.text() };
};
const state = (instance: string) => orchestrator.snapshot().instances.find((i) => i.instance === instance)?.state;

describe('instance faults through the fault plane', () => {
  it('heartbeat loss: the registry marks the instance critical; healing makes it ready again', async () => {
    const on = await orchestrator.command({ type: 'toggle-fault', instance: 'greeter-srv-1', fault: 'heartbeat-loss' });
    expect(on).toEqual({ ok: true, message: 'heartbeat-loss on for greeter-srv-1' });
    expect(orchestrator.snapshot().instances.find((i) => i.instance === 'greeter-srv-1')?.faults).toEqual(['heartbeat-loss']);
    // TTL 10 s of model time at time_scale 0.1 = 1 s; the engine polls the registry once a second.
    await eventually(async () => state('greeter-srv-1') === 'unhealthy', 8000, 'greeter-srv-1 to turn unhealthy');
    expect(await hello()).toEqual({ status: 200, body: '{"message":"Hello John"}' });

    await orchestrator.command({ type: 'toggle-fault', instance: 'greeter-srv-1', fault: 'heartbeat-loss' });
    await eventually(async () => state('greeter-srv-1') === 'ready', 8000, 'greeter-srv-1 to be ready again');
  });

  it('partition: once the registry marks the replica critical, every request goes to the other one', async () => {
    await orchestrator.command({ type: 'toggle-fault', instance: 'greeter-srv-2', fault: 'partition' });
    // A blackholed replica answers nothing: until its TTL runs out a request may hit it and time out (as
    // with a real network partition). After that, traffic has shifted.
    await eventually(async () => state('greeter-srv-2') === 'unhealthy', 8000, 'greeter-srv-2 to turn unhealthy');
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await hello());
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    await orchestrator.command({ type: 'toggle-fault', instance: 'greeter-srv-2', fault: 'partition' });
    await eventually(async () => state('greeter-srv-2') === 'ready', 8000, 'greeter-srv-2 to rejoin');
  });

  it('shows each tier\'s traffic on its instances: the api tier via the gateway, the srv tier via the proxy', async () => {
    for (let i = 0; i < 10; i++) expect((await hello()).status).toBe(200);
    const traffic = (instance: string) => orchestrator.snapshot().instances.find((i) => i.instance === instance)?.traffic;
    await eventually(async () => (traffic('greeter-api-1')?.rps ?? 0) > 0 && (traffic('greeter-srv-1')?.rps ?? 0) > 0, 5000, 'traffic on the api and srv rows');
    expect(traffic('greeter-api-1')?.errorRate).toBe(0);
    expect(traffic('greeter-web-1')).toBeUndefined();
  });

  it('names an unknown instance instead of failing silently', async () => {
    expect(await orchestrator.command({ type: 'kill', instance: 'nope-1' })).toEqual({
      ok: false,
      message: 'no service or instance named "nope-1"; services: greeter-srv, greeter-api, greeter-web',
    });
    expect(await orchestrator.command({ type: 'kill', instance: 'greeter-srv-9' })).toEqual({
      ok: false,
      message: 'no service or instance named "greeter-srv-9" (did you mean "greeter-srv"?)',
    });
  });
});
