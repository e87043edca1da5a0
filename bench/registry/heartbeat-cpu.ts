/**
 * Registry CPU while 1,000 instances heartbeat (TTL pass) every second, spread evenly (target < 15% of one
 * core).
 * Usage: node_modules/.bin/node bench/registry/heartbeat-cpu.ts [instances=1000] [seconds=10]
 */
import { Pool } from 'undici';
import { registryProcess, writeResult } from './bench-support.ts';

const instances = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 10);
const SERVICES = 10;
const reg = await registryProcess();
const pool = new Pool(reg.url, { connections: 16 });
for (let i = 0; i < instances; i++) {
  const body = JSON.stringify({ Name: `svc-${i % SERVICES}`, ID: `hb-${i}`, Address: '127.0.0.1', Port: 10_000 + i, Check: { TTL: '3s', DeregisterCriticalServiceAfter: '1m' } });
  await pool.request({ method: 'PUT', path: '/v1/agent/service/register', body }).then((r) => r.body.text());
}
let late = 0;
let errors = 0;
let sent = 0;
const tick = 10;
const perTick = (instances * tick) / 1000;
let next = 0;
const c0 = await reg.cpu();
const start = performance.now();
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    const elapsed = performance.now() - start;
    if (elapsed >= seconds * 1000) {
      clearInterval(timer);
      resolve();
      return;
    }
    // Catch up to where the schedule should be, so a late tick does not lower the rate.
    const due = Math.floor((elapsed / 1000) * instances);
    if (due - sent > perTick * 3) late++;
    while (sent < due) {
      const id = `hb-${next++ % instances}`;
      sent++;
      pool
        .request({ method: 'PUT', path: `/v1/agent/check/pass/service:${id}` })
        .then((r) => {
          if (r.statusCode !== 200) errors++;
          return r.body.text();
        })
        .catch(() => errors++);
    }
  }, tick);
});
const c1 = await reg.cpu();
const share = (c1.ms - c0.ms) / (c1.at - c0.at);
const status = (await (await fetch(`${reg.url}/v1/micro-dev/status`)).json()) as { passing: number; critical: number };
await pool.close();
await reg.stop();
writeResult('heartbeatCpu', {
  instances,
  heartbeatsPerSecond: Math.round(sent / seconds),
  registryCpuPercentOfOneCore: Number((100 * share).toFixed(1)),
  target: '< 15%',
  passingAtEnd: status.passing,
  criticalAtEnd: status.critical,
  lateTicks: late,
  errors,
  seconds,
});
