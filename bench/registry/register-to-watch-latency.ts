/**
 * Time from sending a register to a parked blocking `GET /v1/health/service/:name?index=N` returning with
 * the new instance (target: median < 10 ms). Registry in a child process; keep-alive connections.
 * Usage: node_modules/.bin/node bench/registry/register-to-watch-latency.ts [iterations=200]
 */
import { Agent, request } from 'undici';
import { median, percentile, registryProcess, writeResult } from './bench-support.ts';

const iterations = Number(process.argv[2] ?? 200);
const reg = await registryProcess();
const dispatcher = new Agent({ connections: 4 });
const get = async (path: string) => {
  const res = await request(`${reg.url}${path}`, { dispatcher });
  const body = (await res.body.json()) as unknown[];
  return { index: Number(res.headers['x-consul-index']), body };
};

const samples: number[] = [];
for (let i = 0; i < iterations; i++) {
  const name = `lat-${i}`;
  const { index } = await get(`/v1/health/service/${name}`);
  const watch = get(`/v1/health/service/${name}?index=${index}&wait=10s`).then((r) => ({ ...r, t: performance.now() }));
  // Give the query time to park (it is a real request on another connection), then register.
  await new Promise((r) => setTimeout(r, 2));
  const t0 = performance.now();
  const reg1 = request(`${reg.url}/v1/agent/service/register`, {
    method: 'PUT',
    dispatcher,
    body: JSON.stringify({ Name: name, ID: name, Check: { TTL: '1h', Status: 'passing' } }),
  }).then((r) => r.body.text());
  const [w] = await Promise.all([watch, reg1]);
  if (w.body.length !== 1) throw new Error(`iteration ${i}: watch returned ${w.body.length} entries`);
  samples.push(w.t - t0);
}
await dispatcher.close();
await reg.stop();
writeResult('registerToWatchLatency', {
  medianMs: Number(median(samples).toFixed(2)),
  p90Ms: Number(percentile(samples, 90).toFixed(2)),
  p99Ms: Number(percentile(samples, 99).toFixed(2)),
  target: '< 10 ms median',
  iterations,
});
