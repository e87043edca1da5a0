/**
 * Acknowledged KV writes per second (issue 18): the embedded registry without `persist`, and with it (every
 * answered PUT is in the log and fdatasync'd first, batched across concurrent writers). Baselines with none
 * of our code, in the same run: a bare node:http answering `true` (the HTTP ceiling), and a bare node:http
 * that appends each body to a file and fdatasyncs before answering (one sync per write, no batching).
 * Rounds alternate between the four servers; each number is a median over rounds. The files live in the
 * OS temp folder (report which disk that is with the numbers).
 * Usage: node_modules/.bin/node bench/registry/kv-write-throughput.ts [seconds=3] [rounds=3] [connections=1,16]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { median, writeResult } from './bench-support.ts';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.argv[2] ?? 3);
const rounds = Number(process.argv[3] ?? 3);
const connectionCounts = (process.argv[4] ?? '1,16').split(',').map(Number);
const dir = mkdtempSync(join(tmpdir(), 'md-kv-bench-'));

type Mode = 'registry' | 'registryPersist' | 'bareHttp' | 'bareHttpFsync';
const modes: Mode[] = ['registry', 'registryPersist', 'bareHttp', 'bareHttpFsync'];

async function server(mode: Mode, round: number): Promise<{ url: string; stop(): Promise<void> }> {
  const file = join(dir, `${mode}-${round}.json`);
  const child: ChildProcess =
    mode === 'registry' || mode === 'registryPersist'
      ? fork(join(here, 'registry-child.ts'), [JSON.stringify(mode === 'registryPersist' ? { persist: file } : {})], { stdio: 'inherit' })
      : fork(join(here, 'kv-baseline-child.ts'), [mode === 'bareHttp' ? 'memory' : 'fsync', file], { stdio: 'inherit' });
  const address = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { address: string }) => resolve(m.address));
    child.once('exit', (code) => reject(new Error(`${mode} child exited with ${code}`)));
  });
  return {
    url: `http://${address}`,
    stop: () => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.disconnect())),
  };
}

async function measure(url: string, connections: number): Promise<number> {
  const pool = new Pool(url, { connections });
  let done = 0;
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async (_, w) => {
      let i = 0;
      while (performance.now() < deadline) {
        const res = await pool.request({ method: 'PUT', path: `/v1/kv/bench/w${w}/k${i++ % 100}`, body: `value-${i}` });
        const text = await res.body.text();
        if (res.statusCode === 200 && text === 'true') done++;
        else errors++;
      }
    }),
  );
  await pool.close();
  if (errors) throw new Error(`${errors} writes were not acknowledged at ${url}`);
  return done / ((performance.now() - t0) / 1000);
}

const rates = new Map<string, number[]>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const connections of connectionCounts) {
      for (const mode of round % 2 ? [...modes].reverse() : modes) {
        const s = await server(mode, round);
        const rate = await measure(s.url, connections);
        await s.stop();
        const key = `${mode}@${connections}`;
        rates.set(key, [...(rates.get(key) ?? []), rate]);
        console.log(`round ${round + 1} ${key}: ${Math.round(rate)} acknowledged writes/s`);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const byConnections: Record<string, Record<string, unknown>> = {};
for (const c of connectionCounts) {
  const m = (mode: Mode) => Math.round(median(rates.get(`${mode}@${c}`)!));
  byConnections[`connections${c}`] = {
    registryWritesPerSecond: m('registry'),
    registryPersistWritesPerSecond: m('registryPersist'),
    persistCostRatio: Number((m('registryPersist') / m('registry')).toFixed(2)),
    baselineBareHttpWritesPerSecond: m('bareHttp'),
    baselineBareHttpFsyncPerWriteWritesPerSecond: m('bareHttpFsync'),
    persistVsFsyncPerWriteRatio: Number((m('registryPersist') / m('bareHttpFsync')).toFixed(2)),
    rounds: Object.fromEntries(modes.map((mode) => [mode, rates.get(`${mode}@${c}`)!.map(Math.round)])),
  };
}
writeResult('kvWriteThroughput', { seconds, rounds, tmpdir: tmpdir(), load1AtEnd: loadavg()[0], ...byConnections });
console.log(JSON.stringify(byConnections, null, 2));
