/**
 * Eureka peers: replication lag between peers. A register (POST /eureka/v2/apps/APP) or a renew (PUT
 * .../APP/ID) on peer 1, timed until peer 2 has applied it (its RegistryCore reports the write): median and
 * p99. Eureka batches replication for maxBatchingDelay (500 ms of model time), so the lag is that delay x
 * time_scale plus one batch round trip; both time scales are measured.
 *
 * Baseline, measured in the same run in alternating rounds: the same batch body POSTed with bare node:http to
 * a bare node:http server that parses it and answers (the transport floor, none of our code).
 *
 * Usage: node_modules/.bin/node bench/registry/peer-replication-lag.ts [rounds=200] [roundsAtScale1=20]
 */
import { createServer, request, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { startEurekaPeers } from '../../runner/registry/peers/start-eureka-peers.ts';
import { median, percentile, writeResult } from './bench-support.ts';

const rounds = Number(process.argv[2] ?? 200);
const roundsAtScale1 = Number(process.argv[3] ?? 20);

const instance = (app: string, id: string) =>
  JSON.stringify({
    instance: { instanceId: id, hostName: 'localhost', app, ipAddr: '127.0.0.1', port: { $: 8080, '@enabled': 'true' }, dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' } },
  });

/** A bare node:http server that parses a JSON batch and answers one status per item. */
async function bareServer() {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const list = (JSON.parse(Buffer.concat(chunks).toString()) as { replicationList: unknown[] }).replicationList;
      const body = JSON.stringify({ responseList: list.map(() => ({ statusCode: 200 })) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (payload: string) =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(payload);
    });
  return { post, close: () => (agent.destroy(), new Promise<void>((r) => server.close(() => r()))) };
}

async function measure(timeScale: number, n: number) {
  const peers = await startEurekaPeers({ host: '127.0.0.1', port: 0, peers: 3, semantics: 'eureka', timeScale, eureka: { doubleExpiryQuirk: true, selfPreservation: true, serve: true, port: 0 } });
  const [a, b] = peers.members;
  const bare = await bareServer();
  const applied = new Map<string, () => void>();
  b.registry.core.onWrite((w) => {
    const id = w.op === 'register' ? w.def.service.id : w.serviceId;
    applied.get(`${w.op}:${id}`)?.();
  });
  const until = (key: string) => new Promise<void>((resolve) => applied.set(key, resolve));
  const register: number[] = [];
  const renew: number[] = [];
  const baseline: number[] = [];
  const eureka = `http://${a.eurekaAddress}/eureka/v2/apps`;
  for (let i = 0; i < n; i++) {
    const app = 'BENCH';
    const id = `i-${timeScale}-${i}`;
    const serviceId = `eureka:${app}:${id}`;
    // Baseline round: one item of the same shape through bare node:http.
    let t = performance.now();
    await bare.post(JSON.stringify({ replicationList: [{ appName: app, id, action: 'Register', instanceInfo: JSON.parse(instance(app, id)).instance }] }));
    baseline.push(performance.now() - t);
    // Register on peer 1, applied on peer 2.
    let done = until(`register:${serviceId}`);
    t = performance.now();
    await fetch(`${eureka}/${app}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: instance(app, id) });
    await done;
    register.push(performance.now() - t);
    // Renew on peer 1, applied on peer 2.
    done = until(`renew:${serviceId}`);
    t = performance.now();
    await fetch(`${eureka}/${app}/${id}`, { method: 'PUT' });
    await done;
    renew.push(performance.now() - t);
  }
  await bare.close();
  await peers.stop();
  const stats = (xs: number[]) => ({ medianMs: round(median(xs)), p99Ms: round(percentile(xs, 99)) });
  return { timeScale, rounds: n, batchingDelayMs: 500 * timeScale, register: stats(register), renew: stats(renew), bareHttpBaseline: stats(baseline) };
}

const round = (v: number) => Math.round(v * 100) / 100;
const load = loadavg()[0];
const fast = await measure(0.01, rounds);
const real = await measure(1, roundsAtScale1);
writeResult('eureka-peer-replication-lag', {
  note: 'register / renew on peer 1 until peer 2 applied it (3 peers in one process); Eureka batches for 500 ms of model time',
  scaled: fast,
  realTimings: real,
  machine: { cpus: cpus().length, loadAvg1mAtStart: round(load), loadAvg1mAtEnd: round(loadavg()[0]) },
});
