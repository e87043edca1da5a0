/**
 * The engine with container instances: greeter-srv x2 in Docker (base image + read-only project mount),
 * greeter-api in a worker, everything wired by the Orchestrator (registry links relayed into the
 * containers, inbound links in front of the published ports). Shutdown leaves no container or network.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { ContainerRuntime } from '../../runner/runtimes/container/container-runtime.ts';
import { WorkerRuntime } from '../../runner/runtimes/worker/worker-runtime.ts';
import { connectDocker } from '../../runner/runtimes/container/docker-client.ts';
import { Labels } from '../../runner/runtimes/container/labels.ts';
import { sweepContainers } from '../../runner/runtimes/container/sweep.ts';
import { dockerGate, FIXTURES } from './container-test-kit.ts';

const gate = await dockerGate();

describe.runIf(gate.mustFail)('orchestrator with containers (Docker required)', () => {
  it('has a Docker engine', () => {
    throw new Error(`MICRO_DEV_REQUIRE_DOCKER=1 but ${gate.reason}`);
  });
});

describe.runIf(gate.run)('orchestrator with container instances', () => {
  const session = `orch-${process.pid}-${Date.now().toString(36)}`;
  let orchestrator: Orchestrator | undefined;

  afterAll(async () => {
    await orchestrator?.shutdown();
    await sweepContainers({ session });
  });

  it('serves the greeter through the gateway from containers and cleans up on shutdown', async () => {
    const topology = await loadTopology(join(FIXTURES, 'greeter-in-container.yaml'));
    const runtime = new ContainerRuntime({ topology: topology.name, session });
    orchestrator = new Orchestrator(topology, { runtimes: { worker: new WorkerRuntime(), container: runtime } });
    await orchestrator.start();

    const docker = await connectDocker();
    const mine = { label: [`${Labels.session}=${session}`] };
    const containers = await docker.listContainers({ filters: mine });
    expect(containers.map((c) => c.Labels[Labels.instance]).sort()).toEqual(['greeter-srv-1', 'greeter-srv-2']);

    const url = `${orchestrator.snapshot().urls.gateway}/greeter/say/hello?name=John`;
    for (let i = 0; i < 4; i++) {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ message: 'Hello John' });
    }

    await orchestrator.shutdown();
    expect(await docker.listContainers({ all: true, filters: mine })).toHaveLength(0);
    expect(await docker.listNetworks({ filters: mine })).toHaveLength(0);
  });
});
