/**
 * Reaper latency (issue 18): `micro-dev up` with greeter-srv x2 in containers is SIGKILLed; time from the
 * kill to the moment Docker lists no container and no network of that up (median of N). The baseline is
 * the same removal done directly (`docker rm -f` of the same containers through the engine API, no reaper):
 * what is left is the reaper's own share (noticing the dropped pipe, listing by label).
 *
 *   node bench/containers/reaper-latency.ts [runs=5]     -> bench/results/reaper.json
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { ensureBaseImage } from '../../runner/images/base-image.ts';
import { connectDocker } from '../../runner/runtimes/container/docker-client.ts';
import { Labels } from '../../runner/runtimes/container/labels.ts';
import { CliProcess, repoRoot } from '../../test/support/cli-process.ts';

const runs = Number(process.argv[2] ?? 5);
const docker = await connectDocker();
const base = await ensureBaseImage(docker);
await mkdir(join(repoRoot, 'tmp'), { recursive: true });
const dir = await mkdtemp(join(repoRoot, 'tmp', 'reaper-bench-'));
const file = join(dir, 'micro.dev.yaml');
await writeFile(
  file,
  `name: reaper-bench
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

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function nothingLeft(filter: { label: string[] }): Promise<boolean> {
  const [c, n] = await Promise.all([docker.listContainers({ all: true, filters: filter }), docker.listNetworks({ filters: filter })]);
  return c.length === 0 && n.length === 0;
}

async function untilGone(filter: { label: string[] }, from: number): Promise<number> {
  while (!(await nothingLeft(filter))) {
    if (performance.now() - from > 30_000) throw new Error('containers still there 30 s after the kill');
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - from;
}

const reaperMs: number[] = [];
const directMs: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    // Alternate: a reaped run, then a run whose containers this script removes itself (the baseline).
    for (const mode of ['reaper', 'direct'] as const) {
      const up = new CliProcess(['up', '--no-tui', '-c', file]);
      await up.waitFor('micro-dev ready', 120_000);
      const filter = { label: [`${Labels.pid}=${up.child.pid}`] };
      const t0 = performance.now();
      if (mode === 'reaper') {
        up.child.kill('SIGKILL');
        reaperMs.push(await untilGone(filter, t0));
      } else {
        up.child.kill('SIGKILL');
        const containers = await docker.listContainers({ all: true, filters: filter });
        await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
        const networks = await docker.listNetworks({ filters: filter });
        await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(() => undefined)));
        directMs.push(await untilGone(filter, t0));
      }
      await up.exited;
    }
    process.stdout.write(`run ${i + 1}/${runs}: reaper ${reaperMs.at(-1)!.toFixed(0)} ms, direct ${directMs.at(-1)!.toFixed(0)} ms\n`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const result = {
  bench: 'reaper',
  at: new Date().toISOString(),
  node: process.version,
  load1: loadavg()[0],
  runs,
  killToLastContainerGoneMs: { median: Math.round(median(reaperMs)), all: reaperMs.map(Math.round), target: '<= 10000' },
  baselineDirectRemoveMs: { median: Math.round(median(directMs)), all: directMs.map(Math.round) },
  ratio: Number((median(reaperMs) / median(directMs)).toFixed(2)),
};
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/reaper.json', JSON.stringify(result, null, 2) + '\n');
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
