/**
 * Gateway benchmark: `node_modules/.bin/node bench/gateway/gateway-bench.ts [--quick]`
 * Writes bench/results/gateway.json.
 *
 *   wrk ──> gateway (child process) ──mucp──> greeter-api (child) ──mucp──> greeter-srv (child)
 *   wrk ──────────────────────── direct mucp ──> greeter-api           (the "direct keep-alive" baseline)
 *   wrk ──> nginx (proxy_pass, upstream keepalive) ──> greeter-api     (the "nginx" baseline)
 *
 * 1. throughput (wrk, closed loop) of GET /greeter/say/hello?name=John through the gateway, vs the same
 *    api call made directly, vs nginx proxying to the same upstream;
 * 2. latency at half the gateway's max throughput (wrk paced with a Lua delay), gateway vs direct: added p50/p99;
 * 3. one of two greeter-api instances SIGKILLed under 500 req/s through the gateway: failed requests.
 * Everything listens on 127.0.0.1; all children are killed at the end.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { request } from 'undici';
import { startRegistry } from '../../runner/registry/start-registry.ts';
import { runAtRate, runClosedLoop, type RateResult } from './rate-load.ts';
import { killGroup, spawnNginx } from '../nginx-process.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const node = join(root, 'node_modules/.bin/node');
const quick = process.argv.includes('--quick');
const wrkSeconds = quick ? 4 : 8;
const children = new Set<ChildProcess>();

const API_BODY = JSON.stringify({
  method: 'GET',
  path: '/greeter/say/hello',
  header: {},
  get: { name: { key: 'name', values: ['John'] } },
  url: '/greeter/say/hello?name=John',
});
const API_HEADERS = {
  'Content-Type': 'application/json',
  'Micro-Service': 'go.micro.api.greeter',
  'Micro-Endpoint': 'Say.Hello',
  'Micro-Method': 'Say.Hello',
  'Micro-Id': '1',
};

function spawnService(module: string, registry: string): ChildProcess {
  const child = spawn(node, [join(root, module)], {
    env: { ...process.env, MICRO_REGISTRY: 'consul', MICRO_REGISTRY_ADDRESS: registry, MICRO_SERVER_ADDRESS: '127.0.0.1:0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function spawnGateway(registry: string, config: object): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(node, [join(root, 'bench/gateway/serve-gateway.ts')], {
    env: { ...process.env, BENCH_REGISTRY: registry, BENCH_GATEWAY_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (l) => l.startsWith('READY ') && resolve(l.slice(6)));
    child.once('exit', (c) => reject(new Error(`gateway exited ${c}`)));
  });
  return { child, url };
}

async function nodesOf(registry: string, service: string, count: number): Promise<string[]> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const res = await request(`http://${registry}/v1/health/service/${service}?passing=1`);
    const entries = (await res.body.json()) as { Service: { Address: string; Port: number } }[];
    if (entries.length >= count) return entries.map((e) => `${e.Service.Address}:${e.Service.Port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${service}: ${count} node(s) not registered within 20 s`);
}

/** wrk's `10.29ms` / `1.20s` / `850.00us` as milliseconds. */
function wrkMs(s: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s ?? '');
  if (!m) return NaN;
  const v = Number(m[1]);
  const ms = m[2] === 'us' ? v / 1000 : m[2] === 'ms' ? v : m[2] === 's' ? v * 1000 : v * 60_000;
  return Math.round(ms * 100) / 100;
}

interface Load {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

/** Closed-loop throughput with wrk when installed, else with the undici loop (results say which). */
async function measure(load: Load, script: string | undefined, connections = 32, delayMs = 0): Promise<{ rps: number; p50: number; p99: number }> {
  if (hasWrk) return wrk(load.url, script, connections);
  const u = new URL(load.url);
  if (delayMs > 0) {
    const r = await runAtRate({ origin: u.origin, path: u.pathname + u.search, method: load.method ?? 'GET', headers: load.headers ?? {}, body: load.body ?? '', rps: Math.round((connections * 1000) / delayMs), durationMs: wrkSeconds * 1000 });
    return { rps: Math.round(r.ok / wrkSeconds), p50: r.p50, p99: r.p99 };
  }
  return runClosedLoop({ origin: u.origin, path: u.pathname + u.search, method: load.method ?? 'GET', headers: load.headers ?? {}, body: load.body ?? '', durationMs: wrkSeconds * 1000, connections });
}

const hasWrk = !process.env.BENCH_NO_WRK && await run('wrk', ['--version']).then(() => true, (e: { stdout?: string; code?: unknown }) => e.code !== 'ENOENT');
const hasNginx = await run('nginx', ['-v']).then(() => true, (e: { code?: unknown }) => e.code !== 'ENOENT');

async function wrk(url: string, script?: string, connections = 32): Promise<{ rps: number; p50: number; p99: number }> {
  const args = ['-t1', `-c${connections}`, `-d${wrkSeconds}s`, '--latency', url];
  if (script) args.push('-s', script);
  const { stdout } = await run('wrk', args, { timeout: (wrkSeconds + 30) * 1000 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  const p50 = wrkMs(/\s50%\s+(\S+)/.exec(stdout)?.[1]);
  const p99 = wrkMs(/\s99%\s+(\S+)/.exec(stdout)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  if (non2xx > 0) console.warn(`wrk ${url}: ${non2xx} non-2xx responses`);
  return { rps: Math.round(rps), p50, p99 };
}

async function startNginx(dir: string, upstream: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream api { server ${upstream}; keepalive 64; }
  server { listen 127.0.0.1:${port}; location / { proxy_pass http://api; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
`,
  );
  const child = spawnNginx(conf, dir);
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      await (await request(url, { method: 'POST', headers: API_HEADERS, body: API_BODY })).body.text();
      break;
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'micro-dev-gw-bench-'));
  const registry = await startRegistry({ host: '127.0.0.1', port: 0 });
  const reg = registry.address;
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, wrk: `-t1 -c32 -d${wrkSeconds}s`, loadAverageAtStart: (await import('node:os')).loadavg()[0] };
  try {
    spawnService('services/greeter-srv/main.ts', reg);
    const api1 = spawnService('services/greeter-api/main.ts', reg);
    await nodesOf(reg, 'go.micro.srv.greeter', 1);
    const [apiAddr] = await nodesOf(reg, 'go.micro.api.greeter', 1);
    const gw = await spawnGateway(reg, {
      host: '127.0.0.1', port: 0, namespace: 'go.micro.api', handler: 'api', resolver: 'micro', enableRpc: true, cors: true,
      balance: 'random', timeoutMs: 5000, retries: 1, ejectMs: 10000, bodyLimitBytes: 10485760, hosts: [],
    });
    const gwPath = '/greeter/say/hello?name=John';
    const check = await request(`${gw.url}${gwPath}`);
    const checkBody = await check.body.text();
    if (checkBody !== '{"message":"Hello John"}') throw new Error(`gateway answered ${check.statusCode} ${checkBody}`);
    const lua = join(dir, 'direct.lua');
    writeFileSync(lua, `wrk.method = "POST"\nwrk.body = '${API_BODY}'\n${Object.entries(API_HEADERS).map(([k, v]) => `wrk.headers["${k}"] = "${v}"`).join('\n')}\n`);

    // warm up, then alternate the setups `rounds` times and keep each one's median run: the machine is
    // shared, and one neighbour's burst should not decide a ratio.
    const gwLoad: Load = { url: `${gw.url}${gwPath}` };
    const directLoad: Load = { url: `http://${apiAddr}/`, method: 'POST', headers: API_HEADERS, body: API_BODY };
    await measure(gwLoad, undefined).catch(() => undefined);
    const nginx = hasNginx ? await startNginx(dir, apiAddr!) : undefined;
    const rounds = quick ? 1 : 3;
    type Run = Awaited<ReturnType<typeof measure>>;
    const runs: { gateway: Run[]; direct: Run[]; nginx: Run[] } = { gateway: [], direct: [], nginx: [] };
    for (let i = 0; i < rounds; i++) {
      runs.gateway.push(await measure(gwLoad, undefined));
      runs.direct.push(await measure(directLoad, lua));
      if (nginx) runs.nginx.push(await measure({ ...directLoad, url: nginx.url + '/' }, lua));
    }
    await nginx?.stop();
    const median = (xs: Run[]): Run | undefined => [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)];
    const viaGateway = median(runs.gateway)!;
    const direct = median(runs.direct)!;
    const viaNginx = median(runs.nginx);
    const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
    results.throughput = {
      loadGenerator: hasWrk ? 'wrk' : 'undici closed loop (wrk not installed)',
      rounds,
      gatewayRps: viaGateway.rps,
      directRps: direct.rps,
      nginxRps: viaNginx?.rps ?? null,
      gatewayVsDirect: ratio(viaGateway.rps, direct.rps),
      gatewayVsNginx: viaNginx ? ratio(viaGateway.rps, viaNginx.rps) : null,
      targets: { gatewayVsDirect: 0.45, gatewayVsNginx: 0.6 },
      runs,
    };
    console.log('throughput', results.throughput);

    // Half load, paced by wrk itself (a Node load generator would steal the CPU it measures): each of
    // 16 connections waits `delay` ms between requests so the offered rate is ~half the gateway's max.
    const half = Math.max(50, Math.round(viaGateway.rps / 2));
    const conns = 16;
    const delay = Math.max(1, Math.round((conns * 1000) / half));
    const paced = (extra: string) => {
      const f = join(dir, `paced-${Math.random().toString(36).slice(2)}.lua`);
      writeFileSync(f, `${extra}\nfunction delay() return ${delay} end\n`);
      return f;
    };
    const gwScript = paced('');
    const directScript = paced(readFileSync(lua, 'utf8'));
    const gwHalf = await measure(gwLoad, gwScript, conns, delay);
    const directHalf = await measure(directLoad, directScript, conns, delay);
    results.halfLoad = {
      targetRps: half,
      gateway: gwHalf,
      direct: directHalf,
      addedP50Ms: Math.round((gwHalf.p50 - directHalf.p50) * 100) / 100,
      addedP99Ms: Math.round((gwHalf.p99 - directHalf.p99) * 100) / 100,
    };
    console.log('halfLoad', results.halfLoad);

    spawnService('services/greeter-api/main.ts', reg);
    await nodesOf(reg, 'go.micro.api.greeter', 2);
    // Let the gateway's cache see both nodes before the kill.
    await runAtRate({ origin: gw.url, path: gwPath, rps: 200, durationMs: 1_000 });
    const kill: RateResult = await runAtRate({
      origin: gw.url,
      path: gwPath,
      rps: 500,
      durationMs: quick ? 4_000 : 6_000,
      at: { ms: 1_500, fn: () => api1.kill('SIGKILL') },
    });
    results.killUnderLoad = { rps: 500, instances: 2, killedAtMs: 1500, ...kill, target: { failed: 0 } };
    console.log('killUnderLoad', results.killUnderLoad);
    gw.child.kill('SIGTERM');
  } finally {
    for (const c of children) killGroup(c);
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/gateway.json'), JSON.stringify(results, null, 2) + '\n');
  console.log('wrote bench/results/gateway.json');
}

await main();
