/**
 * prepareImages (base image from the host's Node, a Dockerfile build FROM it) and startConsulContainer,
 * against a real Docker engine. Real Consul cannot be pulled here, so the happy path runs a stand-in image
 * built by prepareImages; the missing-image path is checked against the real image name.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { prepareImages } from '../../runner/images/prepare-images.ts';
import { connectDocker, dockerStatus } from '../../runner/runtimes/container/docker-client.ts';
import { startConsulContainer, type StartedConsul } from '../../runner/runtimes/container/consul-container.ts';
import { inspectImageLabels } from '../../runner/images/base-image.ts';
import { beaconService, dockerGate, FIXTURES } from './container-test-kit.ts';

const gate = await dockerGate();

describe.runIf(gate.mustFail)('images and consul (Docker required)', () => {
  it('has a Docker engine', () => {
    throw new Error(`MICRO_DEV_REQUIRE_DOCKER=1 but ${gate.reason}`);
  });
});

describe.runIf(gate.run)('images and consul', () => {
  const STANDIN = 'micro-dev/images-test-consul-standin:latest';
  let consul: StartedConsul | undefined;

  afterAll(async () => {
    await consul?.stop();
    const docker = await connectDocker();
    await docker.getImage(STANDIN).remove({ force: true }).catch(() => {});
  });

  it('prepares the base image and builds a service Dockerfile FROM it', async () => {
    const lines: string[] = [];
    const prepared = await prepareImages(
      {
        name: 'images-test',
        services: [
          beaconService({ name: 'plain' }),
          beaconService({
            name: 'consul-standin',
            container: { dockerfile: join(FIXTURES, 'consul-standin', 'Dockerfile'), reach: 'published' },
          }),
          beaconService({ name: 'in-process', runtime: 'worker' }),
        ],
      },
      { log: (l) => lines.push(l) },
    );
    expect(prepared.base.tag).toBe(`micro-dev/node:${process.versions.node.split('.')[0]}`);
    expect(prepared.base.nodeVersion).toBe(process.version);
    expect(prepared.services.map((s) => [s.service, s.plan.mode, s.plan.image])).toEqual([
      ['plain', 'mount', prepared.base.tag],
      ['consul-standin', 'build', STANDIN],
    ]);
    expect(prepared.services[1]!.built).toBe(true);
    expect(lines.some((l) => l.includes('docker build'))).toBe(true);
    const docker = await connectDocker();
    expect(await inspectImageLabels(docker, STANDIN)).toMatchObject({ 'dev.micro-dev.node-version': process.version });
  });

  it('startConsulContainer publishes the API on 127.0.0.1 and waits for a leader; stop removes it', async () => {
    consul = await startConsulContainer({ image: STANDIN, readyTimeoutMs: 20_000 });
    expect(consul.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const res = await fetch(`http://${consul.address}/v1/status/leader`);
    expect(await res.json()).toBe('127.0.0.1:8300');
    await consul.stop();
    const docker = await connectDocker();
    await expect(docker.getContainer(consul.containerId).inspect()).rejects.toSatisfy((e) => dockerStatus(e) === 404);
  });

  it('startConsulContainer names the missing image and how to get it', async () => {
    await expect(startConsulContainer({ image: 'hashicorp/consul:0.0.0-absent' })).rejects.toMatchObject({
      code: 'START_FAILED',
      message: expect.stringContaining('image hashicorp/consul:0.0.0-absent not found locally'),
      hints: expect.arrayContaining([expect.stringContaining('docker load')]),
    });
  });
});
