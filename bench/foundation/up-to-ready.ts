/**
 * Foundation numbers (issue: `up` to ready, median of 5, under 2 s; resident memory of the whole default
 * topology, under 400 MB). Each run spawns the real CLI on the default greeter topology moved to free
 * ports, times spawn -> "micro-dev ready", reads the RSS of micro-dev and every descendant from /proc,
 * then sends SIGINT and waits for exit 0.
 *
 *   node bench/foundation/up-to-ready.ts [runs=5]     -> bench/results/foundation.json
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { CliProcess, descendants, writeTestTopology } from '../../test/support/cli-process.ts';

const runs = Number(process.argv[2] ?? 5);

async function rssKb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const readyMs: number[] = [];
const rssMb: number[] = [];
for (let i = 0; i < runs; i++) {
  const topo = await writeTestTopology();
  // The default topology's own timing (time_scale 1), not the test's accelerated one.
  const yaml = (await readFile(topo.file, 'utf8')).replace(', time_scale: 0.1', '');
  await writeFile(topo.file, yaml);
  const t0 = performance.now();
  const up = new CliProcess(['up', '-c', topo.file, '--no-tui']);
  await up.waitFor('micro-dev ready', 30_000);
  readyMs.push(performance.now() - t0);
  // Let the heap settle for a moment after start, as a user's topology would sit idle.
  await new Promise((r) => setTimeout(r, 1000));
  const pids = [up.child.pid!, ...(await descendants(up.child.pid!))];
  const kb = (await Promise.all(pids.map(rssKb))).reduce((a, b) => a + b, 0);
  rssMb.push(kb / 1024);
  up.child.kill('SIGINT');
  const exit = await up.exited;
  if (exit.code !== 0) throw new Error(`run ${i + 1}: up exited with ${exit.code ?? exit.signal}\n${up.output}`);
  process.stdout.write(`run ${i + 1}/${runs}: ready in ${readyMs.at(-1)!.toFixed(0)} ms, RSS ${rssMb.at(-1)!.toFixed(0)} MB\n`);
}

const result = {
  bench: 'foundation',
  at: new Date().toISOString(),
  node: process.version,
  runs,
  upToReadyMs: { median: Math.round(median(readyMs)), all: readyMs.map(Math.round), target: '< 2000' },
  topologyRssMb: { median: Math.round(median(rssMb)), all: rssMb.map(Math.round), target: '< 400' },
};
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/foundation.json', JSON.stringify(result, null, 2) + '\n');
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
