/**
 * The container reaper: `micro-dev up` with greeter-srv in two containers is SIGKILLed (no cleanup code of
 * its own can run); within 10 s its containers, its network and the reaper itself are gone, while another
 * session's container (watched by a reaper of its own in this test process) keeps running.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { ensureBaseImage } from '../../runner/images/base-image.ts';
import { connectDocker } from '../../runner/runtimes/container/docker-client.ts';
import { Labels } from '../../runner/runtimes/container/labels.ts';
import { acquireReaper } from '../../runner/runtimes/container/reaper.ts';
import { sweepContainers } from '../../runner/runtimes/container/sweep.ts';
import { CliProcess, repoRoot } from '../support/cli-process.ts';
import { dockerGate, waitFor } from './container-test-kit.ts';

const gate = await dockerGate();

describe.runIf(gate.mustFail)('container reaper (Docker required)', () => {
  it('has a Docker engine', () => {
    throw new Error(`MICRO_DEV_REQUIRE_DOCKER=1 but ${gate.reason}`);
  });
});

/** Pids of reaper processes watching `session` (argv: node reaper-process.ts SESSION OWNER_PID). */
async function reapersOf(session: string): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`, 'utf8').then((t) => t.split('\0'), () => []);
    const at = argv.findIndex((a) => a.endsWith('reaper-process.ts'));
    if (at >= 0 && argv[at + 1] === session) out.push(Number(entry));
  }
  return out;
}

describe.runIf(gate.run)('container reaper', () => {
  const bystanderSession = `reaper-bystander-${process.pid}-${Date.now().toString(36)}`;
  // every `up` started here: a test that fails before its own kill must not leave its `up` running
  const ups: CliProcess[] = [];
  const startUp = (file: string): CliProcess => {
    const cli = new CliProcess(['up', '--no-tui', '-c', file]);
    ups.push(cli);
    return cli;
  };
  let upSession: string | undefined;
  let releaseBystander: (() => Promise<void>) | undefined;
  let topologyDir: string | undefined;

  afterAll(async () => {
    for (const cli of ups) cli.child.kill('SIGKILL');
    await releaseBystander?.();
    await sweepContainers({ session: bystanderSession });
    if (upSession) await sweepContainers({ session: upSession });
    if (topologyDir) await rm(topologyDir, { recursive: true, force: true });
  });

  async function bystander(docker: Docker): Promise<Docker.Container> {
    releaseBystander = await acquireReaper(bystanderSession);
    const base = await ensureBaseImage(docker);
    const container = await docker.createContainer({
      Image: base.tag,
      Cmd: ['node', '-e', 'setInterval(() => {}, 1000)'],
      Labels: { [Labels.session]: bystanderSession, [Labels.topology]: 'bystander', [Labels.pid]: String(process.pid) },
      HostConfig: { Init: true },
    });
    await container.start();
    return container;
  }

  it('removes a SIGKILLed up\'s containers and network within 10 s, and only them', { timeout: 180_000 }, async () => {
    const docker = await connectDocker();
    const other = await bystander(docker);
    const base = await ensureBaseImage(docker);
    // Inside the repository, so the container runtime mounts the project (services/, node_modules).
    await mkdir(join(repoRoot, 'tmp'), { recursive: true });
    topologyDir = await mkdtemp(join(repoRoot, 'tmp', 'reaper-'));
    const file = join(topologyDir, 'micro.dev.yaml');
    await writeFile(
      file,
      `name: reaper
registry: { port: 0, time_scale: 0.1 }
gateway: { port: 0 }
proxy: { port: 0 }
web: { port: 0 }
faults: { port: 0 }
services:
  greeter-srv:
    runtime: container
    container: { image: ${base.tag} }
    command: [node, ../../services/greeter-srv/main.ts]
    replicas: 2
`,
    );
    const up = startUp(file);
    await up.waitFor('micro-dev ready', 120_000);
    const owner = { label: [`${Labels.pid}=${up.child.pid}`] };
    const running = await docker.listContainers({ filters: owner });
    expect(running.map((c) => c.Labels[Labels.instance]).sort()).toEqual(['greeter-srv-1', 'greeter-srv-2']);
    upSession = running[0].Labels[Labels.session];
    expect(await docker.listNetworks({ filters: owner })).toHaveLength(1);
    expect(await reapersOf(upSession)).toHaveLength(1);

    up.child.kill('SIGKILL');
    await up.exited;
    const killedAt = Date.now();
    await waitFor(
      'no container or network of the killed up',
      async () =>
        (await docker.listContainers({ all: true, filters: owner })).length === 0 &&
        (await docker.listNetworks({ filters: owner })).length === 0,
      10_000,
    );
    const gone = Date.now() - killedAt;
    expect(gone).toBeLessThanOrEqual(10_000);
    await waitFor('the reaper exits after its sweep', async () => (await reapersOf(upSession!)).length === 0, 10_000 - gone);

    // The other session, and its own reaper, are untouched.
    expect((await other.inspect()).State.Running).toBe(true);
    expect(await reapersOf(bystanderSession)).toHaveLength(1);
  });

  it('a clean stop (Ctrl-C) removes the containers and ends the reaper too', { timeout: 180_000 }, async () => {
    const docker = await connectDocker();
    const cli = startUp(join(topologyDir!, 'micro.dev.yaml'));
    await cli.waitFor('micro-dev ready', 120_000);
    const owner = { label: [`${Labels.pid}=${cli.child.pid}`] };
    const running = await docker.listContainers({ filters: owner });
    expect(running).toHaveLength(2);
    const session = running[0].Labels[Labels.session];
    expect(await reapersOf(session)).toHaveLength(1);
    cli.child.kill('SIGINT');
    expect((await cli.exited).code).toBe(0);
    // Nothing is left once up has exited, and the reaper it released ends too.
    expect(await docker.listContainers({ all: true, filters: owner })).toHaveLength(0);
    expect(await docker.listNetworks({ filters: owner })).toHaveLength(0);
    await waitFor('the released reaper exits', async () => (await reapersOf(session)).length === 0, 10_000);
  });

  it('a released reaper sweeps its session and exits, leaving no process', { timeout: 60_000 }, async () => {
    const docker = await connectDocker();
    if (!releaseBystander) await bystander(docker);
    expect(await reapersOf(bystanderSession)).toHaveLength(1);
    await releaseBystander!();
    releaseBystander = undefined;
    expect(await reapersOf(bystanderSession)).toHaveLength(0);
    expect(await docker.listContainers({ all: true, filters: { label: [`${Labels.session}=${bystanderSession}`] } })).toHaveLength(0);
  });
});
