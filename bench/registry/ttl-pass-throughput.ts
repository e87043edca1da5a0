/**
 * TTL check passes handled per second by one registry process (target >= 15,000/s on one core).
 * The registry runs in a child process; this process drives keep-alive connections with undici.
 * Usage: node_modules/.bin/node bench/registry/ttl-pass-throughput.ts [seconds=3] [runs=3] [connections=32] [pipelining=1]
 */
import { Pool } from 'undici';
import { median, registryProcess, writeResult } from './bench-support.ts';

const seconds = Number(process.argv[2] ?? 3);
const runs = Number(process.argv[3] ?? 3);
const connections = Number(process.argv[4] ?? 32);
const pipelining = Number(process.argv[5] ?? 1);
const INSTANCES = 100;

const reg = await registryProcess();
const pool = new Pool(reg.url, { connections, pipelining });
for (let i = 0; i < INSTANCES; i++) {
  await pool.request({ method: 'PUT', path: '/v1/agent/service/register', body: JSON.stringify({ Name: 'bench', ID: `b-${i}`, Check: { TTL: '1h' } }) }).then((r) => r.body.text());
}

const rates: number[] = [];
const cpuShares: number[] = [];
for (let run = 0; run < runs; run++) {
  let done = 0;
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const c0 = await reg.cpu();
  const t0 = performance.now();
  const worker = async (w: number) => {
    let i = w;
    while (performance.now() < deadline) {
      const res = await pool.request({ method: 'PUT', path: `/v1/agent/check/pass/service:b-${i++ % INSTANCES}` });
      await res.body.text();
      if (res.statusCode === 200) done++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: connections * pipelining }, (_, w) => worker(w)));
  const elapsed = (performance.now() - t0) / 1000;
  const c1 = await reg.cpu();
  rates.push(done / elapsed);
  cpuShares.push((c1.ms - c0.ms) / (c1.at - c0.at));
  console.log(`run ${run + 1}: ${Math.round(done / elapsed)} passes/s, registry CPU ${(100 * cpuShares.at(-1)!).toFixed(0)}% of one core, errors ${errors}`);
}
await pool.close();
await reg.stop();
const rate = median(rates);
const cpu = median(cpuShares);
writeResult('ttlPassThroughput', {
  medianPassesPerSecond: Math.round(rate),
  registryCpuShareOfOneCore: Number(cpu.toFixed(2)),
  // The registry process is single-threaded; passes per CPU-second is the "one core" figure.
  passesPerRegistryCpuSecond: Math.round(rate / cpu),
  target: 15000,
  runs: rates.map(Math.round),
  seconds,
  connections,
  pipelining,
});
