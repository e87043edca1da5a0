/**
 * The wire faces (issue 14):
 *   propagation  register through one face -> visible through each other face (median, ms), against a
 *                bare node:http store-then-read round trip (baseline), alternating rounds, timeScale 0.01
 *                (so Eureka's 30 s response cache is 300 ms: reads through Eureka wait for it)
 *   renewCpu     1,000 Eureka clients renewing every 30 s of model time at timeScale 0.1 (one renew per
 *                instance every 3 s): registry CPU (% of one core) against a bare node:http answering the
 *                same PUTs
 *   delta        GET /eureka/apps/delta with 1,000 instances registered (JSON, and gzip): size and median
 *                time, against a bare node:http serving a body of the same size
 * Usage: node_modules/.bin/node bench/registry/faces.ts [rounds=5] [renewSeconds=10]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { Pool } from 'undici';
import { median, writeResult } from './bench-support.ts';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.argv[2] ?? 5);
const renewSeconds = Number(process.argv[3] ?? 10);

interface Child {
  address: string;
  eureka?: string;
  nacos?: string;
  cpu(): Promise<{ ms: number; at: number }>;
  stop(): Promise<void>;
}

async function child(args: string[]): Promise<Child> {
  const c: ChildProcess = fork(join(here, 'faces-child.ts'), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const hello = await new Promise<{ address: string; eureka?: string; nacos?: string }>((resolve, reject) => {
    c.once('message', (m: { address: string }) => resolve(m));
    c.once('exit', (code) => reject(new Error(`faces child exited with ${code}`)));
  });
  return {
    ...hello,
    cpu: () =>
      new Promise((resolve) => {
        c.once('message', (m: { cpu: NodeJS.CpuUsage; at: number }) => resolve({ ms: (m.cpu.user + m.cpu.system) / 1000, at: m.at }));
        c.send({ cmd: 'cpu' });
      }),
    stop: () =>
      new Promise((resolve) => {
        c.once('exit', () => resolve());
        c.disconnect();
      }),
  };
}

const call = async (url: string, init: RequestInit = {}) => {
  const r = await fetch(url, init);
  const text = await r.text();
  return { status: r.status, text };
};

type Face = 'consul' | 'eureka' | 'nacos';
const FACES: Face[] = ['consul', 'eureka', 'nacos'];

function register(reg: Child, face: Face, name: string, port: number): Promise<unknown> {
  if (face === 'consul') return call(`http://${reg.address}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: name, ID: `${name}-1`, Address: '127.0.0.1', Port: port }) });
  if (face === 'eureka') {
    const body = { instance: { app: name, instanceId: `${name}-1`, hostName: 'localhost', ipAddr: '127.0.0.1', port: { $: port, '@enabled': 'true' }, vipAddress: name, dataCenterInfo: { name: 'MyOwn' } } };
    return call(`${reg.eureka}apps/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }
  return call(`${reg.nacos}/nacos/v1/ns/instance?serviceName=${name}&ip=127.0.0.1&port=${port}`, { method: 'POST' });
}

async function visible(reg: Child, face: Face, name: string): Promise<boolean> {
  if (face === 'consul') return (await call(`http://${reg.address}/v1/health/service/${name}`)).text.length > 2;
  if (face === 'eureka') return (await call(`${reg.eureka}apps/${name.toUpperCase()}`, { headers: { accept: 'application/json' } })).status === 200;
  return (JSON.parse((await call(`${reg.nacos}/nacos/v1/ns/instance/list?serviceName=${name}`)).text) as { hosts: unknown[] }).hosts.length > 0;
}

async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!(await probe())) if (performance.now() > deadline) throw new Error(`${what}: not within 10 s`);
}

// --- propagation ---------------------------------------------------------------------------------------
const load = loadavg().map((l) => Number(l.toFixed(2)));
const reg = await child(['registry', JSON.stringify({ timeScale: 0.01 })]);
const base = await child(['baseline']);
const times = new Map<string, number[]>();
const push = (k: string, v: number) => times.set(k, [...(times.get(k) ?? []), v]);
let n = 0;
for (let r = 0; r < rounds; r++) {
  for (const from of FACES) {
    for (const to of FACES) {
      if (from === to) continue;
      const name = `prop${n++}`;
      const t0 = performance.now();
      await register(reg, from, name, 20_000 + n);
      await until(() => visible(reg, to, name), `${from} -> ${to}`);
      push(`${from}->${to}`, performance.now() - t0);
      // Baseline in the same round: store then read on a bare node:http server.
      const b0 = performance.now();
      await call(`http://${base.address}/r/${name}`, { method: 'POST' });
      await until(async () => (await call(`http://${base.address}/r/${name}`)).status === 200, 'baseline');
      push('baseline', performance.now() - b0);
    }
  }
}
await reg.stop();
const propagation = Object.fromEntries([...times].map(([k, v]) => [k, Number(median(v).toFixed(2))]));
writeResult('facesPropagation', {
  unit: 'ms (median)',
  rounds,
  timeScale: 0.01,
  note: 'reads through Eureka wait for its response cache (30 s of model time = 300 ms here)',
  ...propagation,
  loadavg: load,
});

// --- 1,000 Eureka clients renewing ---------------------------------------------------------------------
async function renewLoad(target: Child, pathOf: (i: number) => string): Promise<{ cpuPercent: number; renewsPerSecond: number; errors: number }> {
  const origin = target.eureka ? new URL(target.eureka).origin : `http://${target.address}`;
  const pool = new Pool(origin, { connections: 16 });
  const instances = 1000;
  const perSecond = instances / 3; // one renew per instance every 30 s x 0.1
  let sent = 0;
  let errors = 0;
  const c0 = await target.cpu();
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      if (elapsed >= renewSeconds * 1000) {
        clearInterval(timer);
        resolve();
        return;
      }
      const due = Math.floor((elapsed / 1000) * perSecond);
      while (sent < due) {
        const i = sent++ % instances;
        pool
          .request({ method: 'PUT', path: pathOf(i) })
          .then((r) => {
            if (r.statusCode !== 200) errors++;
            return r.body.text();
          })
          .catch(() => errors++);
      }
    }, 10);
  });
  const c1 = await target.cpu();
  await pool.close();
  return { cpuPercent: Number(((100 * (c1.ms - c0.ms)) / (c1.at - c0.at)).toFixed(1)), renewsPerSecond: Math.round(sent / renewSeconds), errors };
}

const renew: Record<string, unknown>[] = [];
for (let r = 0; r < 2; r++) {
  const faces = await child(['registry', JSON.stringify({ timeScale: 0.1 })]);
  for (let i = 0; i < 1000; i++) {
    const body = { instance: { app: `app${i % 10}`, instanceId: `i${i}`, hostName: 'localhost', ipAddr: '127.0.0.1', port: 10_000 + i, dataCenterInfo: { name: 'MyOwn' } } };
    await call(`${faces.eureka}apps/app${i % 10}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }
  const ours = await renewLoad(faces, (i) => `/eureka/apps/APP${i % 10}/i${i}`);
  await faces.stop();
  const bare = await child(['baseline']);
  const baseline = await renewLoad(bare, (i) => `/renew/${i}`);
  await bare.stop();
  renew.push({ round: r + 1, eurekaFace: ours, bareNodeHttp: baseline });
}
writeResult('facesRenewCpu', {
  instances: 1000,
  timeScale: 0.1,
  renewIntervalWallMs: 3000,
  seconds: renewSeconds,
  rounds: renew,
  medianCpuPercent: {
    eurekaFace: median(renew.map((x) => (x.eurekaFace as { cpuPercent: number }).cpuPercent)),
    bareNodeHttp: median(renew.map((x) => (x.bareNodeHttp as { cpuPercent: number }).cpuPercent)),
  },
  loadavg: loadavg().map((l) => Number(l.toFixed(2))),
});

// --- /apps/delta with 1,000 instances ------------------------------------------------------------------
const delta = await child(['registry', JSON.stringify({ timeScale: 0.1 })]);
for (let i = 0; i < 1000; i++) {
  const body = { instance: { app: `app${i % 10}`, instanceId: `i${i}`, hostName: 'localhost', ipAddr: '127.0.0.1', port: 10_000 + i, dataCenterInfo: { name: 'MyOwn' } } };
  await call(`${delta.eureka}apps/app${i % 10}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
// Past one response-cache refresh (3 s at 0.1) and well inside the 3 min (18 s) delta retention.
const count = async () => ((JSON.parse((await call(`${delta.eureka}apps/delta`, { headers: { accept: 'application/json' } })).text) as { applications: { application: { instance: unknown[] }[] } }).applications.application.flatMap((a) => a.instance)).length;
await until(async () => (await count()) === 1000, 'delta with 1000 instances');
const bare = await child(['baseline']);
const sizes: Record<string, number> = {};
const dt = new Map<string, number[]>();
const getRaw = async (url: string, gzip: boolean) => {
  const pool = new Pool(new URL(url).origin);
  const t0 = performance.now();
  const r = await pool.request({ method: 'GET', path: new URL(url).pathname, headers: { accept: 'application/json', ...(gzip ? { 'accept-encoding': 'gzip' } : {}) } });
  const buf = Buffer.from(await r.body.arrayBuffer());
  const ms = performance.now() - t0;
  await pool.close();
  return { ms, bytes: buf.length };
};
for (let r = 0; r < 20; r++) {
  for (const gzip of [false, true]) {
    const ours = await getRaw(`${delta.eureka}apps/delta`, gzip);
    sizes[gzip ? 'gzipBytes' : 'jsonBytes'] = ours.bytes;
    dt.set(`delta${gzip ? 'Gzip' : 'Json'}Ms`, [...(dt.get(`delta${gzip ? 'Gzip' : 'Json'}Ms`) ?? []), ours.ms]);
    const b = await getRaw(`http://${bare.address}/blob/${sizes.jsonBytes}`, gzip);
    dt.set(`baseline${gzip ? 'Gzip' : 'Json'}Ms`, [...(dt.get(`baseline${gzip ? 'Gzip' : 'Json'}Ms`) ?? []), b.ms]);
  }
}
await delta.stop();
await bare.stop();
writeResult('facesDelta', {
  instances: 1000,
  ...sizes,
  ...Object.fromEntries([...dt].map(([k, v]) => [k, Number(median(v).toFixed(2))])),
  note: 'baseline: bare node:http serving a JSON body of the same size (gzipped per request when asked); each GET on a fresh connection',
  loadavg: loadavg().map((l) => Number(l.toFixed(2))),
});
