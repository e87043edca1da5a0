/**
 * ContainerRuntime against a real Docker engine (skipped without one, failed under
 * MICRO_DEV_REQUIRE_DOCKER=1). One runtime, one topology network, the beacon fixture in containers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../runner/runtimes/runtime.ts';
import { ContainerRuntime } from '../../runner/runtimes/container/container-runtime.ts';
import type { ContainerInstance } from '../../runner/runtimes/container/container-instance.ts';
import { connectDocker, dockerStatus } from '../../runner/runtimes/container/docker-client.ts';
import { Labels } from '../../runner/runtimes/container/labels.ts';
import { sweepContainers } from '../../runner/runtimes/container/sweep.ts';
import { hasNetworkControl } from '../../runner/runtimes/container/network-control.ts';
import { beaconService, BeatCounter, dockerGate, freePort, getJson, waitFor } from './container-test-kit.ts';
import { startOtlpReceiver } from '../traces/otlp-receiver.ts';

const gate = await dockerGate();

describe.runIf(gate.mustFail)('container runtime (Docker required)', () => {
  it('has a Docker engine', () => {
    throw new Error(`MICRO_DEV_REQUIRE_DOCKER=1 but ${gate.reason}`);
  });
});

describe.runIf(gate.run)('container runtime', () => {
  const session = `test-${process.pid}-${Date.now().toString(36)}`;
  const beats = new BeatCounter();
  let runtime: ContainerRuntime;
  const started: ContainerInstance[] = [];

  beforeAll(async () => {
    await beats.start();
    runtime = new ContainerRuntime({ topology: 'containers-test', session });
  });

  afterAll(async () => {
    await Promise.all(started.map((i) => i.stop(0)));
    await runtime?.close();
    await beats.close();
    await sweepContainers({ session });
  });

  async function startBeacon(id: string, reach: 'published' | 'network' = 'published', extraEnv: Record<string, string> = {}) {
    const port = await freePort();
    const instance = await runtime.start(
      {
        instance: id,
        service: beaconService({ container: { reach } }),
        env: {
          MICRO_SERVER_ADDRESS: `127.0.0.1:${port}`,
          MICRO_SERVER_ID: id,
          MICRO_REGISTRY_ADDRESS: `127.0.0.1:${beats.port}`,
          // What the engine passes along from the host; inside the image they must give way to its own.
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          ...extraEnv,
        },
      },
      { signal: AbortSignal.timeout(60_000) },
    );
    started.push(instance);
    const lines: LogLine[] = [];
    instance.onLog((l) => lines.push(l));
    return { instance, port, lines, url: `http://127.0.0.1:${port}/` };
  }

  let first: Awaited<ReturnType<typeof startBeacon>>;

  it('starts a labelled container, streams stdout and stderr, publishes its port and relays to the host', async () => {
    first = await startBeacon('beacon-1');
    const { instance, lines, url, port } = first;
    expect(instance.kind).toBe('container');
    expect(instance.ref).toMatch(/^[0-9a-f]{12}$/);
    expect(hasNetworkControl(instance)).toBe(true);

    await waitFor('the listening line on stdout', () => lines.some((l) => l.stream === 'stdout' && l.line.includes('listening')));
    await waitFor('the stderr line', () => lines.some((l) => l.stream === 'stderr' && l.line.includes('stderr works')));
    expect(lines.every((l) => l.instance === 'beacon-1' && !l.line.includes('\n'))).toBe(true);

    const seen = await waitFor('an answer on the published port', () => getJson(url));
    const env = seen.env as Record<string, string>;
    expect(env.MICRO_SERVER_ADDRESS).toBe(`0.0.0.0:${port}`);
    expect(env.MICRO_SERVER_ADVERTISE).toBe(`127.0.0.1:${port}`);
    expect(env.MICRO_REGISTRY_ADDRESS).not.toContain('127.0.0.1');
    expect(env.PATH).toBe('/usr/local/bin:/usr/bin:/bin');
    expect(env.HOME).toBe('/tmp');

    await waitFor('heartbeats through the host relay', () => beats.count('beacon-1') >= 3);

    const docker = await connectDocker();
    const info = await docker.getContainer(instance.id).inspect();
    expect(info.Config.Labels).toMatchObject({
      [Labels.session]: session,
      [Labels.topology]: 'containers-test',
      [Labels.instance]: 'beacon-1',
      [Labels.pid]: String(process.pid),
    });
    const networks = await docker.listNetworks({ filters: { label: [`${Labels.session}=${session}`] } });
    expect(networks).toHaveLength(1);
  });

  it('partition cuts it off (port and heartbeats), heal restores both', async () => {
    const { instance, url } = first;
    await instance.partition();
    await waitFor('the published port to stop answering', async () => {
      try {
        await getJson(url, 300);
        return false;
      } catch {
        return true;
      }
    });
    await waitFor('a failed heartbeat logged', () => first.lines.some((l) => l.line.includes('beat failed')));
    const during = beats.count('beacon-1');

    await instance.heal();
    await waitFor('heartbeats again', () => beats.count('beacon-1') >= during + 3);
    const seen = await waitFor('the published port to answer again', () => getJson(url));
    expect(seen.id).toBe('beacon-1');
  });

  it('pause freezes it and resume thaws it', async () => {
    const { instance, url } = first;
    const docker = await connectDocker();
    await instance.pause();
    expect((await docker.getContainer(instance.id).inspect()).State.Paused).toBe(true);
    await expect(getJson(url, 300)).rejects.toThrow();
    await instance.resume();
    expect((await docker.getContainer(instance.id).inspect()).State.Paused).toBe(false);
    expect((await waitFor('an answer after resume', () => getJson(url))).id).toBe('beacon-1');
  });

  it('stop is graceful: SIGTERM reaches the service, exit 0, requested, container removed', async () => {
    const { instance, lines } = first;
    const exit = await instance.stop(10_000);
    expect(exit).toMatchObject({ code: 0, signal: null, requested: true });
    expect(exit.lastLines).toContain('beacon beacon-1 stderr works'); // the last lines, stderr preferred
    expect(lines.some((l) => l.line.includes('stopping on SIGTERM'))).toBe(true);
    expect(await instance.exited).toEqual(exit);
    expect(await instance.stop(10_000)).toEqual(exit);
    const docker = await connectDocker();
    await waitFor('the container to be removed', () =>
      docker.getContainer(instance.id).inspect().then(() => false, (e) => dockerStatus(e) === 404),
    );
    await expect(instance.pause()).rejects.toMatchObject({ code: 'NOT_RUNNING' });
  });

  it('reach: network advertises the container IP, reachable from the host; kill is a SIGKILL crash', async () => {
    const { instance, port } = await startBeacon('beacon-2', 'network');
    const seen = await waitFor('an answer on the container IP', () => getJson(`http://${instance.ip}:${port}/`));
    expect((seen.env as Record<string, string>).MICRO_SERVER_ADVERTISE).toBe(`${instance.ip}:${port}`);
    instance.kill();
    expect(await instance.exited).toMatchObject({ code: null, signal: 'SIGKILL', requested: false });
  });

  it('reaches an OTLP collector on the host\'s loopback (telemetry.otlp_endpoint) through the relay', async () => {
    const receiver = await startOtlpReceiver();
    try {
      // What instanceEnv gives a container instance under telemetry: {otlp_endpoint: http://127.0.0.1:<port>}.
      const { instance, lines } = await startBeacon('beacon-3', 'published', {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_SERVICE_NAME: 'beacon-srv',
      });
      const span = await waitFor('the container\'s span at the host collector', () => receiver.spans.find((s) => s.name === 'beacon beacon-3 started'));
      expect(span).toMatchObject({ service: 'beacon-srv', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', attributes: { 'beacon.id': 'beacon-3' } });
      const exported = (await waitFor('the export logged', () => lines.find((l) => l.line.startsWith('beacon beacon-3 exported a span to ')))).line;
      const inside = exported.slice('beacon beacon-3 exported a span to '.length);
      expect(inside).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:\d+$/);
      expect(inside).not.toContain('127.0.0.1');
      await instance.stop(10_000);
    } finally {
      await receiver.close();
    }
  });

  it('rejects with START_FAILED naming the instance when the image is missing', async () => {
    const start = runtime.start(
      { instance: 'ghost-1', service: beaconService({ name: 'ghost', container: { image: 'micro-dev/absent:0', reach: 'published' } }), env: {} },
      { signal: AbortSignal.timeout(10_000) },
    );
    await expect(start).rejects.toMatchObject({ code: 'START_FAILED', message: expect.stringMatching(/ghost-1.*micro-dev\/absent:0 not found locally/) });
  });

  it('an aborted start rejects with START_FAILED and leaves no container', async () => {
    const controller = new AbortController();
    controller.abort(new Error('engine gave up'));
    await expect(
      runtime.start({ instance: 'aborted-1', service: beaconService(), env: {} }, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'START_FAILED', message: expect.stringContaining('aborted-1: start aborted') });
    const docker = await connectDocker();
    const left = await docker.listContainers({ all: true, filters: { label: [`${Labels.instance}=aborted-1`] } });
    expect(left).toHaveLength(0);
  });
});
