/**
 * `telemetry: {otlp_endpoint: http://127.0.0.1:<port>}` reaches an instance that runs in a Docker container:
 * the engine gives it OTEL_EXPORTER_OTLP_ENDPOINT, the container runtime points the loopback URL at its host
 * relay, and a span the instance exports arrives at the collector on the host's 127.0.0.1 under the
 * instance's OTEL_SERVICE_NAME (the beacon fixture exports one span when the variable is set).
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { ContainerRuntime } from '../../runner/runtimes/container/container-runtime.ts';
import { sweepContainers } from '../../runner/runtimes/container/sweep.ts';
import { distinctFreePort } from '../support/cli-process.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../traces/otlp-receiver.ts';
import { dockerGate, FIXTURES, waitFor } from './container-test-kit.ts';

const gate = await dockerGate();

describe.runIf(gate.mustFail)('OTLP from a container (Docker required)', () => {
  it('has a Docker engine', () => {
    throw new Error(`MICRO_DEV_REQUIRE_DOCKER=1 but ${gate.reason}`);
  });
});

describe.runIf(gate.run)('telemetry.otlp_endpoint on loopback, for a container instance', () => {
  const session = `otlp-${process.pid}-${Date.now().toString(36)}`;
  let orchestrator: Orchestrator | undefined;
  let receiver: OtlpReceiver | undefined;
  let dir: string | undefined;

  afterAll(async () => {
    await orchestrator?.shutdown();
    await sweepContainers({ session });
    await receiver?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the instance\'s own span reaches the collector on the host', async () => {
    receiver = await startOtlpReceiver();
    dir = await mkdtemp(join(tmpdir(), 'micro-dev-otlp-container-'));
    // The project folder (bind-mounted read-only into the container): the topology and the beacon.
    await copyFile(join(FIXTURES, 'beacon-service.ts'), join(dir, 'beacon-service.ts'));
    const file = join(dir, 'micro.dev.yaml');
    const port = () => distinctFreePort();
    await writeFile(
      file,
      `name: otlp-container
telemetry: {otlp_endpoint: ${receiver.url}}
registry: {port: ${await port()}, time_scale: 0.1}
gateway: {port: ${await port()}, handler: api}
proxy: {port: ${await port()}}
web: {port: ${await port()}}
faults: {port: ${await port()}}
services:
  beacon-srv:
    runtime: container
    container: {image: micro-dev/node:24}
    command: [node, beacon-service.ts]
    readiness: {log: {pattern: listening, timeout: 30s}}
`,
    );
    const topology = await loadTopology(file);
    orchestrator = new Orchestrator(topology, { runtimes: { container: new ContainerRuntime({ topology: topology.name, session }) } });
    await orchestrator.start();

    const span = await waitFor('the container\'s span at the host collector', () => receiver!.spans.find((s) => /^beacon \S+ started$/.test(s.name)), 30_000).catch(
      (e: Error) => {
        throw new Error(`${e.message}\n${orchestrator!.logs('beacon-srv-1').map((l) => l.line).join('\n')}`);
      },
    );
    expect(span.service).toBe('beacon-srv'); // OTEL_SERVICE_NAME from the engine
    // what the container was given: the relay on its network's gateway, not the host's loopback
    const exported = await waitFor('the export logged', () =>
      orchestrator!.logs('beacon-srv-1').map((l) => /^beacon \S+ exported a span to (.*)$/.exec(l.line)?.[1]).find((u) => u !== undefined),
    );
    expect(exported).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:\d+$/);
    expect(exported).not.toContain('127.0.0.1');
  }, 90_000);
});
