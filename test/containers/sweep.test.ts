/**
 * sweepContainers removes what a dead session left (owner pid gone) and leaves live sessions alone.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { ensureBaseImage } from '../../runner/images/base-image.ts';
import { connectDocker, dockerStatus } from '../../runner/runtimes/container/docker-client.ts';
import { Labels } from '../../runner/runtimes/container/labels.ts';
import { sweepContainers } from '../../runner/runtimes/container/sweep.ts';
import { dockerGate } from './container-test-kit.ts';

const gate = await dockerGate();

describe.runIf(gate.mustFail)('sweep (Docker required)', () => {
  it('has a Docker engine', () => {
    throw new Error(`MICRO_DEV_REQUIRE_DOCKER=1 but ${gate.reason}`);
  });
});

describe.runIf(gate.run)('sweepContainers', () => {
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const dead = `sweep-dead-${tag}`;
  const live = `sweep-live-${tag}`;

  afterAll(async () => {
    await sweepContainers({ session: dead });
    await sweepContainers({ session: live });
  });

  /** A pid that existed and has ended (a finished child), so it names no running process. */
  function deadPid(): number {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    return Number(r.stdout);
  }

  async function leftover(docker: Docker, session: string, pid: number): Promise<{ container: string; network: string }> {
    const labels = { [Labels.session]: session, [Labels.topology]: 'sweep-test', [Labels.pid]: String(pid) };
    const network = await docker.createNetwork({ Name: `micro-dev-sweep-${session}`, Labels: labels });
    const base = await ensureBaseImage(docker);
    // Created, never started: all a crashed `up` may leave is enough for sweep to find.
    const container = await docker.createContainer({
      Image: base.tag,
      Cmd: ['node', '-e', '0'],
      Labels: { ...labels, [Labels.instance]: 'x-1' },
      HostConfig: { NetworkMode: `micro-dev-sweep-${session}` },
    });
    return { container: container.id, network: network.id };
  }

  it('removes a dead session (containers first, then networks) and keeps a live one', async () => {
    const docker = await connectDocker();
    const gone = await leftover(docker, dead, deadPid());
    const kept = await leftover(docker, live, process.pid);

    const removed = await sweepContainers();
    expect(removed).toBeGreaterThanOrEqual(2);
    const status = (p: Promise<unknown>) => p.then(() => 200, (e) => dockerStatus(e));
    expect(await status(docker.getContainer(gone.container).inspect())).toBe(404);
    expect(await status(docker.getNetwork(gone.network).inspect())).toBe(404);
    expect(await status(docker.getContainer(kept.container).inspect())).toBe(200);

    expect(await sweepContainers({ session: live })).toBe(2);
    expect(await status(docker.getNetwork(kept.network).inspect())).toBe(404);
  });
});
