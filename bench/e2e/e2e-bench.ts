/**
 * End-to-end data plane vs a bare Node chain with the same hops (issue 13), all in one run, rounds alternating.
 *
 *   baseline:  wrk ──> bare-chain.ts: gateway (main) ──> api (worker) ──> proxy (main) ──> srv (2 workers, in turn)
 *   nginx:     wrk ──> nginx (keepalive upstream) ──> the same bare chain
 *   bareOneSrv: wrk ──> bare-chain.ts --srv 1: one srv worker (the baseline until 2026-12-06; the default topology
 *              runs greeter-srv's two replicas in a thread each, so the baseline has two): information
 *   bareUnix:  wrk ──> bare-chain.ts --unix: the same chain, its three inner hops on Unix sockets (Linux), as
 *              micro-dev runs its own: how much of a path's ratio the transport alone accounts for
 *   gateway:   wrk ──> micro-dev up: gateway GET /greeter/say/hello ──link──> greeter-api ──link──> proxy ──link──> greeter-srv
 *   rpc:       wrk ──> gateway POST /rpc {go.micro.api.greeter Greeter.Hello}  (the same chain)
 *   proxy:     wrk ──> proxy POST / Micro-Service: go.micro.api.greeter         (proxy instead of gateway, same chain)
 *   call:      wrk ──> proxy POST / with exactly the headers `micro-dev call` (the kit Client) sends
 *
 * Every path ends in greeter-srv through greeter-api, so each does the baseline's four hops. micro-dev runs
 * the greeter topology (worker runtime, default registry timing) on free ports in its own session, with
 * --no-tui. Rounds: every path once per round, in turn, wrk -t1 -c32; the result per path is the median
 * round (by req/s), ratios are median/median. The machine's 1-minute load average is recorded per run.
 * Each round also records the CPU per request of what serves the path (bare chain; nginx and the chain;
 * micro-dev's tree), its main thread's, and how busy the machine was (cpu-use.ts); per path `cpu` holds the
 * medians and `vsBaselineCpu` (the baseline's CPU per request over the path's): when that matches
 * `vsBaseline` with the machine near fully busy, a path is bound by its total work, not by one thread.
 *
 * Then (unless --stall-seconds 0): half of the baseline's measured capacity, paced by wrk (Lua delay) for
 * --stall-seconds, baseline and gateway alternating in slices: p99 and the slowest request of each, and
 * for each gateway slice what the collector did on `up`'s main thread (it runs with --trace-gc-nvp;
 * gc-trace.ts): scavenges, full collections and the longest pause, to tell a collector's pause from a queue.
 * Memory: RSS of micro-dev's whole tree idle (after ready), after the throughput rounds, after the stall
 * phase; and the bare chain's RSS after load.
 *
 * Before the rounds every path is loaded for --warmup-seconds (default 5 each, so micro-dev's `up` gets 20 s):
 * a fresh `up` needs 15-20 s of load to reach its throughput (JIT, pools), and with 2 s each the first
 * round of the first micro-dev path ran cold (2026-12-04: the gateway's first round at 0.73 of its other two).
 *
 *   node_modules/.bin/node bench/e2e/e2e-bench.ts [--rounds 5] [--seconds 6] [--warmup-seconds 5] [--stall-seconds 60]
 *     [--paths gateway,rpc,proxy,call] [--node-flags "--cpu-prof --cpu-prof-dir=/tmp/prof"] [--out FILE]
 *   -> bench/results/e2e.json (not when --node-flags is given, unless --out)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { request } from 'undici';
import { descendants, eventually, launcherNodeFlags, repoRoot, writeTopology } from '../../test/support/cli-process.ts';
import { pacedLua } from './paced-lua.ts';
import { spawnUp } from './spawn-up.ts';
import { GcTrace, type GcSlice } from './gc-trace.ts';
import { rssMb } from '../tui/gateway-load-tally.ts';
import { cpuSnapshot, cpuUse, coreCount, type CpuUse } from './cpu-use.ts';
import { killGroup, spawnNginx } from '../nginx-process.ts';

const run = promisify(execFile);
const option = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const num = (name: string, fallback: number, min = 0) => {
  const n = Number(option(name) ?? fallback);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min} (got ${option(name)})`);
  return n;
};
const rounds = num('rounds', 5, 1);
const seconds = num('seconds', 6, 1);
const warmupSeconds = num('warmup-seconds', 5);
const stallSeconds = num('stall-seconds', 60);
// Default: the launcher's own flags (what `npx micro-dev up` runs with); --node-flags replaces them.
const nodeFlagsOption = option('node-flags');
const nodeFlags = nodeFlagsOption === undefined ? launcherNodeFlags : nodeFlagsOption.split(' ').filter(Boolean);
const pathNames = (option('paths') ?? 'gateway,rpc,proxy,call').split(',');
const outFile = option('out') ?? (nodeFlagsOption !== undefined ? undefined : join(repoRoot, 'bench/results/e2e.json'));
const CONNECTIONS = 32;
const children = new Set<ChildProcess>();
const dir = mkdtempSync(join(tmpdir(), 'micro-dev-e2e-bench-'));

const load1 = () => Math.round(loadavg()[0]! * 100) / 100;

interface Target {
  url: string;
  /** wrk Lua lines (method, body, headers); empty for a plain GET. */
  lua: string;
  /** The processes that serve it (their whole trees are measured) and the one whose main thread is reported. */
  serving: { pids: number[]; mainPid: number };
}

interface WrkRun extends Partial<CpuUse> {
  rps: number;
  p50: number;
  p99: number;
  maxMs: number;
  errors: number;
  /** What the errors were, when there were any: answers other than 2xx/3xx, and wrk's socket errors by kind. */
  errorKinds?: { non2xx: number; connect: number; read: number; write: number; timeout: number };
  load1: number;
}

function luaFor(method: string, body: string, headers: Record<string, string>): string {
  const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return [`wrk.method = ${quote(method)}`, `wrk.body = ${quote(body)}`, ...Object.entries(headers).map(([k, v]) => `wrk.headers[${quote(k)}] = ${quote(v)}`)].join('\n') + '\n';
}

/** wrk's `10.29ms` / `1.20s` / `850.00us` as milliseconds. */
function wrkMs(s: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s ?? '');
  if (!m) return NaN;
  const v = Number(m[1]);
  const ms = m[2] === 'us' ? v / 1000 : m[2] === 'ms' ? v : m[2] === 's' ? v * 1000 : v * 60_000;
  return Math.round(ms * 100) / 100;
}

async function wrk(target: Target, secondsToRun: number, connections = CONNECTIONS, extraLua = ''): Promise<WrkRun> {
  const script = join(dir, `wrk-${Math.random().toString(36).slice(2)}.lua`);
  writeFileSync(script, target.lua + extraLua);
  const before = await cpuSnapshot(target.serving.pids, target.serving.mainPid);
  const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${secondsToRun}s`, '--latency', '-s', script, target.url], {
    timeout: (secondsToRun + 30) * 1000,
  });
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const [connect = 0, read = 0, write = 0, timeout = 0] = socketErrors ? socketErrors.slice(1).map(Number) : [];
  const errors = non2xx + connect + read + write + timeout;
  const use = cpuUse(before, await cpuSnapshot(target.serving.pids, target.serving.mainPid), Number(/(\d+) requests in/.exec(stdout)?.[1] ?? NaN));
  return {
    rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN)),
    p50: wrkMs(/\s50%\s+(\S+)/.exec(stdout)?.[1]),
    p99: wrkMs(/\s99%\s+(\S+)/.exec(stdout)?.[1]),
    maxMs: wrkMs(/Latency\s+\S+\s+\S+\s+(\S+)/.exec(stdout)?.[1]),
    errors,
    ...(errors > 0 ? { errorKinds: { non2xx, connect, read, write, timeout } } : {}),
    load1: load1(),
    ...use,
  };
}

async function expectBody(target: Target, method: string, body: string, headers: Record<string, string>, expected: string): Promise<void> {
  const res = await request(target.url, { method: method as 'GET', headers, body: method === 'GET' ? undefined : body });
  const text = await res.body.text();
  if (res.statusCode !== 200 || !text.includes(expected)) throw new Error(`${target.url} answered ${res.statusCode} ${text}`);
}

async function startBareChain(args: string[] = []): Promise<{ address: string; pid: number }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bench/e2e/bare-chain.ts'), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const address = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('READY ') && resolve(l.slice(6)));
    child.once('exit', (c) => reject(new Error(`bare chain exited ${c}`)));
  });
  return { address, pid: child.pid! };
}

async function startNginx(upstream: string): Promise<{ url: string; pid: number }> {
  const port = 20000 + Math.floor(Math.random() * 30000);
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream chain { server ${upstream}; keepalive 64; }
  server { listen 127.0.0.1:${port}; location / { proxy_pass http://chain; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
`,
  );
  const child = spawnNginx(conf, dir);
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await request(`${url}/greeter/say/hello?name=John`)).body.text().then((t) => t.includes('Hello John')), 10_000, 'nginx answering');
  return { url, pid: child.pid! };
}

async function startMicroDev(): Promise<{ pid: number; logFile: string; ports: { gateway: number; proxy: number }; stop(): Promise<void> }> {
  const svc = (name: string) => join(repoRoot, 'services', name, 'main.ts');
  const topo = await writeTopology(
    `  greeter-srv:\n    module: ${svc('greeter-srv')}\n    replicas: 2\n  greeter-api:\n    module: ${svc('greeter-api')}\n    depends_on: [greeter-srv]\n  greeter-web:\n    module: ${svc('greeter-web')}\n    depends_on: [greeter-api]\n`,
    'e2e-bench',
  );
  // Default registry timing (writeTopology's time_scale 0.1 is for tests) and /rpc on.
  writeFileSync(topo.file, readFileSync(topo.file, 'utf8').replace(', time_scale: 0.1', '').replace('handler: api }', 'handler: api, enable_rpc: true }'));
  const logFile = join(dir, 'up.log');
  const { child, exited } = await spawnUp(topo.file, { nodeFlags: [...nodeFlags, '--trace-gc-nvp'], logFile, cwd: dir, children });
  return {
    pid: child.pid!,
    logFile,
    ports: topo.ports,
    async stop() {
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000).unref())]);
      children.delete(child);
      rmSync(topo.dir, { recursive: true, force: true });
    },
  };
}

async function treeRssMb(pid: number): Promise<number> {
  let total = rssMb(pid);
  for (const p of await descendants(pid)) total += rssMb(p);
  return total;
}

const median = (runs: WrkRun[]): WrkRun => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

async function main(): Promise<void> {
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    wrk: `-t1 -c${CONNECTIONS} -d${seconds}s`,
    rounds,
    warmupSecondsPerPath: warmupSeconds,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
  try {
    const bare = await startBareChain();
    const bareUnix = process.platform === 'linux' ? await startBareChain(['--unix']) : undefined;
    const bareOneSrv = await startBareChain(['--srv', '1']);
    const up = await startMicroDev();
    const microDevIdleRss = await treeRssMb(up.pid);
    const nginx = await startNginx(bare.address);
    const gw = `http://127.0.0.1:${up.ports.gateway}`;
    const px = `http://127.0.0.1:${up.ports.proxy}`;
    const hello = '{"name":"John"}';
    const proxyHeaders = { 'Content-Type': 'application/json', 'Micro-Service': 'go.micro.api.greeter', 'Micro-Endpoint': 'Greeter.Hello' };
    // What services/kit/client.ts #send puts on the wire for `micro-dev call` (proxyAddress set).
    const callHeaders = {
      Timeout: '5000000000',
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'Micro-Id': '0',
      'Micro-Service': 'go.micro.api.greeter',
      'Micro-Method': 'Greeter.Hello',
      'Micro-Endpoint': 'Greeter.Hello',
    };
    const rpcBody = JSON.stringify({ service: 'go.micro.api.greeter', endpoint: 'Greeter.Hello', request: { name: 'John' } });
    const all: Record<string, { target: Target; check: () => Promise<void> }> = {};
    // CPU is counted over what serves each path: the bare chain; nginx and the bare chain behind it; micro-dev
    const servedBy: Record<string, Target['serving']> = {
      baseline: { pids: [bare.pid], mainPid: bare.pid },
      nginx: { pids: [nginx.pid, bare.pid], mainPid: bare.pid },
      ...(bareUnix ? { bareUnix: { pids: [bareUnix.pid], mainPid: bareUnix.pid } } : {}),
      bareOneSrv: { pids: [bareOneSrv.pid], mainPid: bareOneSrv.pid },
    };
    const add = (name: string, url: string, method: string, body: string, headers: Record<string, string>) => {
      const target = { url, lua: luaFor(method, body, headers), serving: servedBy[name] ?? { pids: [up.pid], mainPid: up.pid } };
      all[name] = { target, check: () => expectBody(target, method, body, headers, 'Hello John') };
    };
    add('baseline', `http://${bare.address}/greeter/say/hello?name=John`, 'GET', '', {});
    add('nginx', `${nginx.url}/greeter/say/hello?name=John`, 'GET', '', {});
    if (bareUnix) add('bareUnix', `http://${bareUnix.address}/greeter/say/hello?name=John`, 'GET', '', {});
    add('bareOneSrv', `http://${bareOneSrv.address}/greeter/say/hello?name=John`, 'GET', '', {});
    add('gateway', `${gw}/greeter/say/hello?name=John`, 'GET', '', {});
    add('rpc', `${gw}/rpc`, 'POST', rpcBody, { 'Content-Type': 'application/json' });
    add('proxy', `${px}/`, 'POST', hello, proxyHeaders);
    add('call', `${px}/`, 'POST', hello, callHeaders);
    const anchors = ['baseline', 'nginx', 'bareUnix', 'bareOneSrv'].filter((n) => n in all);
    const names = [...anchors, ...pathNames.filter((n) => n in all && !anchors.includes(n))];
    for (const n of names) await all[n]!.check();
    // Warm up every path (JIT, pools, caches) before anything counts.
    if (warmupSeconds > 0) for (const n of names) await wrk(all[n]!.target, warmupSeconds);

    const runs: Record<string, WrkRun[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      for (const n of names) {
        const one = await wrk(all[n]!.target, seconds);
        runs[n]!.push(one);
        console.log(
          `round ${r + 1} ${n.padEnd(8)} ${one.rps} req/s  p50 ${one.p50} ms  p99 ${one.p99} ms  max ${one.maxMs} ms  errors ${one.errors}${one.errorKinds ? ` ${JSON.stringify(one.errorKinds)}` : ''}  ` +
            `cpu ${one.cpuMsPerRequest} ms/req (main ${one.mainCpuMsPerRequest})  machine ${Math.round((one.machineBusy ?? NaN) * 100)} % busy  load ${one.load1}`,
        );
      }
    }
    const base = median(runs.baseline!);
    const unixBase = runs.bareUnix ? median(runs.bareUnix) : undefined;
    const oneSrvBase = median(runs.bareOneSrv!);
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const baseCpu = mid(runs.baseline!.map((x) => x.cpuMsPerRequest!));
    results.throughput = Object.fromEntries(
      names.map((n) => {
        const m = median(runs[n]!);
        const rs = runs[n]!;
        const cpuMsPerRequest = mid(rs.map((x) => x.cpuMsPerRequest!));
        // cpu: medians over the rounds; vsBaselineCpu = the baseline's CPU per request / this path's, the
        // throughput ratio CPU alone allows when both can use every core (wrk's own share aside)
        const cpu = { msPerRequest: cpuMsPerRequest, mainMsPerRequest: mid(rs.map((x) => x.mainCpuMsPerRequest!)), machineBusy: mid(rs.map((x) => x.machineBusy!)), vsBaselineCpu: ratio(baseCpu, cpuMsPerRequest) };
        // vsBareUnix: against the bare chain on the same transport as micro-dev's own hops (information; the
        // target is vsBaseline, the bare chain as anyone would write it)
        // vsBareOneSrv: against the chain with one srv worker (information, see the header)
        return [n, { rps: m.rps, p50: m.p50, p99: m.p99, vsBaseline: ratio(m.rps, base.rps), ...(unixBase ? { vsBareUnix: ratio(m.rps, unixBase.rps) } : {}), vsBareOneSrv: ratio(m.rps, oneSrvBase.rps), cpu, runs: rs }];
      }),
    );
    results.cores = coreCount;
    results.target = { vsBaseline: 0.6 };
    const microDevLoadedRss = await treeRssMb(up.pid);
    const bareLoadedRss = await treeRssMb(bare.pid);

    if (stallSeconds > 0) {
      // Half of the baseline's capacity, offered at that rate to both: 16 connections share one schedule.
      const conns = 16;
      const half = Math.max(50, Math.round(base.rps / 2));
      const paced = pacedLua(half);
      const slice = Math.min(10, stallSeconds);
      const stall: Record<'baseline' | 'gateway', WrkRun[]> = { baseline: [], gateway: [] };
      const gc = new GcTrace(up.logFile);
      gc.skip();
      const gatewayGc: GcSlice[] = [];
      for (let done = 0; done < stallSeconds; done += slice) {
        for (const n of ['baseline', 'gateway'] as const) {
          if (n === 'gateway') gc.skip();
          stall[n].push(await wrk(all[n]!.target, slice, conns, paced));
          if (n === 'gateway') gatewayGc.push(gc.next());
        }
      }
      const summary = (xs: WrkRun[]) => ({
        rps: median(xs).rps,
        p99MedianOfSlices: [...xs.map((x) => x.p99)].sort((a, b) => a - b)[Math.floor(xs.length / 2)],
        p99Worst: Math.max(...xs.map((x) => x.p99)),
        maxMs: Math.max(...xs.map((x) => x.maxMs)),
        errors: xs.reduce((a, x) => a + x.errors, 0),
      });
      const b = summary(stall.baseline);
      const g = summary(stall.gateway);
      results.halfLoad = {
        seconds: stallSeconds,
        sliceSeconds: slice,
        offeredRps: half,
        baseline: b,
        gateway: g,
        addedP99Ms: Math.round((g.p99MedianOfSlices! - b.p99MedianOfSlices!) * 100) / 100,
        targets: { addedP99Ms: 2, maxMs: 50 },
        slices: stall,
        gatewayMainThreadGc: gatewayGc,
      };
      console.log(`halfLoad gateway main-thread gc per slice: ${gatewayGc.map((x) => `${x.scavenges} scavenges (${x.scavengePauseMs} ms), ${x.markCompacts} full (${x.markCompactPauseMs} ms), longest pause ${x.maxPauseMs} ms`).join('; ')}`);
      console.log('halfLoad', JSON.stringify({ baseline: b, gateway: g }));
    }
    results.memoryMb = {
      microDevIdle: microDevIdleRss,
      microDevAfterThroughput: microDevLoadedRss,
      microDevAfterAll: await treeRssMb(up.pid),
      bareChainAfterLoad: bareLoadedRss,
      targets: { idle: 200, loaded: 300 },
    };
    results.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
    console.log('throughput', JSON.stringify(Object.fromEntries(Object.entries(results.throughput as object).map(([k, v]) => [k, { rps: v.rps, p99: v.p99, vsBaseline: v.vsBaseline, vsBareUnix: v.vsBareUnix, vsBareOneSrv: v.vsBareOneSrv, cpu: v.cpu }]))));
    console.log('memoryMb', JSON.stringify(results.memoryMb));
    await up.stop();
  } finally {
    for (const c of children) killGroup(c);
    rmSync(dir, { recursive: true, force: true });
  }
  if (outFile) {
    writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
    console.log(`wrote ${outFile}`);
  }
}

await main();
