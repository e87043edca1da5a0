/**
 * Scale numbers (issue 13 point 4): `replicas: 1000` of greeter-srv (worker runtime, packed) beside the
 * default topology's 2 replicas, measured in the same run, alternating rounds:
 *
 *   spawn `micro-dev up --no-tui` (with the shebang's Node flags, as a user runs it) ──"micro-dev ready"──> ready ms
 *   every replica passing in the registry ──> settle 10 s ──> RSS of the process tree, fds, threads
 *   CPU of the tree over 30 s of idle (every instance heartbeating every 3 s) ──> % of one core
 *   wrk -t1 -c32 on the gateway for 10 s ──> req/s, p50/p99; instances whose inbound link counted a request
 *   SIGINT ──> exit 0
 *
 *   node bench/scale/scale-bench.ts [--rounds 2] [--replicas 1000]   -> bench/results/scale.json
 * Targets: ready < 60 s, tree < 2.5 GB, idle < 30 % of one core. Report the machine load with the numbers
 * (`load` below: /proc/loadavg at each measure).
 */
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { controlRequest } from '../../runner/control/control-client.ts';
import { readRunFile } from '../../runner/control/run-file.ts';
import type { Snapshot } from '../../runner/engine/api.ts';
import { binPath, descendants, launcherNodeFlags, repoRoot, writeTopology } from '../../test/support/cli-process.ts';

const run = promisify(execFile);
const option = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const rounds = Number(option('rounds') ?? 2);
const big = Number(option('replicas') ?? 1000);
const IDLE_S = 30;
const LOAD_S = 10;
const TICK = 100; // USER_HZ: /proc times are in 1/100 s

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const load = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');

async function treeOf(pid: number): Promise<number[]> {
  return [pid, ...(await descendants(pid))];
}
async function rssMb(pids: number[]): Promise<number> {
  let kb = 0;
  for (const p of pids) kb += Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${p}/status`, 'utf8').catch(() => ''))?.[1] ?? 0);
  return kb / 1024;
}
async function cpuTicks(pids: number[]): Promise<number> {
  let t = 0;
  for (const p of pids) {
    const stat = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    t += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return t;
}
async function fds(pids: number[]): Promise<number> {
  let n = 0;
  for (const p of pids) n += (await readdir(`/proc/${p}/fd`).catch(() => [])).length;
  return n;
}
const threadsOf = async (pid: number) => Number(/Threads:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]);

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not within ${timeoutMs} ms`);
}

interface Sample {
  replicas: number;
  readyMs: number;
  allPassingMs: number;
  rssMb: number;
  fds: number;
  threads: number;
  idleCpuPctOfCore: number;
  gateway: { rps: number; p50Ms: number; p99Ms: number; non2xx: number };
  instancesServed: number;
  load: { atReady: string; idle: string; gateway: string };
}

async function measure(replicas: number): Promise<Sample> {
  const svc = (name: string) => join(repoRoot, 'services', name, 'main.ts');
  const topo = await writeTopology(`  greeter-srv:\n    module: ${svc('greeter-srv')}\n    replicas: ${replicas}\n  greeter-api:\n    module: ${svc('greeter-api')}\n    depends_on: [greeter-srv]\n`, 'scale-bench');
  await writeFile(topo.file, (await readFile(topo.file, 'utf8')).replace(', time_scale: 0.1', ''));
  const t0 = performance.now();
  const child = spawn(process.execPath, [...launcherNodeFlags, binPath, 'up', '-c', topo.file, '--no-tui'], { cwd: topo.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Only the tail is kept (a thousand instances print megabytes); the ready line is looked for per chunk.
  let tail = '';
  let readyAt = 0;
  const onData = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
    if (!readyAt && tail.includes('micro-dev ready')) readyAt = performance.now();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  try {
    await until(async () => readyAt > 0 || child.exitCode !== null, 600_000, 'micro-dev ready');
    if (!readyAt) throw new Error(`up exited before ready: ${tail}`);
    const atReady = await load();
    const passing = async () => {
      const res = await request(`http://127.0.0.1:${topo.ports.registry}/v1/health/service/go.micro.srv.greeter?passing=1`);
      return ((await res.body.json()) as unknown[]).length === replicas;
    };
    await until(passing, 300_000, `${replicas} passing`);
    const allPassingMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 10_000));
    const pids = await treeOf(child.pid!);
    const rss = await rssMb(pids);
    const open = await fds(pids);
    const threads = await threadsOf(child.pid!);
    const c0 = await cpuTicks(pids);
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const idleCpu = ((await cpuTicks(pids)) - c0) / TICK / ((performance.now() - w0) / 1000) * 100;
    const idle = await load();
    const { stdout } = await run('wrk', ['-t1', '-c32', `-d${LOAD_S}s`, '--latency', `http://127.0.0.1:${topo.ports.gateway}/greeter/say/hello?name=John`]);
    const gwLoad = await load();
    const ms = (s: string | undefined) => (!s ? NaN : s.endsWith('us') ? parseFloat(s) / 1000 : s.endsWith('ms') ? parseFloat(s) : parseFloat(s) * 1000);
    const gateway = {
      rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1])),
      p50Ms: ms(/\s50%\s+(\S+)/.exec(stdout)?.[1]),
      p99Ms: ms(/\s99%\s+(\S+)/.exec(stdout)?.[1]),
      non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0),
    };
    // Counted per instance on its inbound link, folded into the snapshot once a second.
    await new Promise((r) => setTimeout(r, 1500));
    const info = (await readRunFile(topo.file))!;
    const snapshot = await controlRequest<Snapshot>(info, '/api/snapshot');
    const instancesServed = snapshot.instances.filter((i) => i.service === 'greeter-srv' && (i.served?.requests ?? 0) > 0).length;
    const sample: Sample = {
      replicas,
      readyMs: Math.round(readyAt - t0),
      allPassingMs: Math.round(allPassingMs),
      rssMb: Math.round(rss),
      fds: open,
      threads,
      idleCpuPctOfCore: Math.round(idleCpu * 10) / 10,
      gateway,
      instancesServed,
      load: { atReady, idle, gateway: gwLoad },
    };
    process.stdout.write(`${JSON.stringify(sample)}\n`);
    return sample;
  } finally {
    child.kill('SIGINT');
    const code = await exited;
    if (code !== 0) process.stdout.write(`up (${replicas}) exited with ${code}\n${tail}\n`);
  }
}

const samples: Sample[] = [];
for (let r = 0; r < rounds; r++) {
  // Alternating: the big topology and the default's 2 replicas in turn, so both see the same minutes.
  for (const replicas of r % 2 === 0 ? [big, 2] : [2, big]) samples.push(await measure(replicas));
}

const summary = (replicas: number) => {
  const of = samples.filter((s) => s.replicas === replicas);
  return {
    replicas,
    readyMs: median(of.map((s) => s.readyMs)),
    allPassingMs: median(of.map((s) => s.allPassingMs)),
    rssMb: median(of.map((s) => s.rssMb)),
    fds: median(of.map((s) => s.fds)),
    threads: median(of.map((s) => s.threads)),
    idleCpuPctOfCore: median(of.map((s) => s.idleCpuPctOfCore)),
    gatewayRps: median(of.map((s) => s.gateway.rps)),
    gatewayP99Ms: median(of.map((s) => s.gateway.p99Ms)),
    instancesServed: median(of.map((s) => s.instancesServed)),
  };
};
const bigSummary = summary(big);
const small = summary(2);
const result = {
  bench: 'scale',
  at: new Date().toISOString(),
  node: process.version,
  rounds,
  note: 'medians of alternating rounds; load = /proc/loadavg (1, 5, 15 min) at each measure: numbers on a shared 2-core machine',
  targets: { readyMs: '< 60000', rssMb: '< 2560', idleCpuPctOfCore: '< 30' },
  [`replicas${big}`]: bigSummary,
  replicas2: small,
  gatewayRpsRatio: Math.round((bigSummary.gatewayRps / small.gatewayRps) * 100) / 100,
  samples,
};
await mkdir(join(repoRoot, 'bench/results'), { recursive: true });
await writeFile(join(repoRoot, 'bench/results/scale.json'), JSON.stringify(result, null, 2) + '\n');
process.stdout.write(JSON.stringify({ ...result, samples: undefined }, null, 2) + '\n');
