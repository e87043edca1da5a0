/**
 * Fault plane numbers: link overhead per hop (keep-alive HTTP, direct vs through a link), the time a
 * toxic takes to hit a live connection, and the CPU a link costs the process hosting it (over TCP and in
 * memory). Each with its baseline measured in the same run.
 *
 * Run: node_modules/.bin/node bench/faults/run.ts [--runs 5] [--requests 2000] [--connections 100] [--cpu-requests 10000]
 *   -> JSON on stdout and in bench/results/faults.json
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { linkInMemory } from './link-in-memory.ts';
import { linkOverhead } from './link-overhead.ts';
import { toxicApply } from './toxic-apply.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('runs', 5);

const result = {
  bench: 'faults',
  node: process.version,
  at: new Date().toISOString(),
  cpus: (await import('node:os')).cpus().length,
  results: [
    await linkOverhead({ runs, requests: arg('requests', 2000) }),
    await toxicApply({ runs, connections: arg('connections', 100) }),
    await linkInMemory({ runs, requests: arg('cpu-requests', 10_000) }),
  ],
};
const out = new URL('../results/faults.json', import.meta.url);
await mkdir(new URL('.', out), { recursive: true });
await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
