/**
 * Flat memory (issue 13, target 3): resident memory of the default topology's whole process tree idle, under
 * full load for --minutes, and idle again; the bare node:http chain (bare-chain.ts, the same threads) the
 * same way as the anchor. One subject at a time (they must not share the 2 cores).
 *
 *   per subject:  start ──> idle --idle-seconds ──> wrk -t1 -c32 GET /greeter/say/hello for --minutes ──> idle --idle-seconds
 *                 sampled every --sample seconds throughout
 *
 * A sample: RSS of the tree (VmRSS of every process), split into file-backed (the node binary, libraries)
 * and anonymous; for micro-dev also V8's heap of its own thread and of every instance thread (GET
 * /api/resources), so anonymous memory = V8 heaps + the rest (malloc: sockets, buffers, parsers; stacks).
 * Results: medians of each phase, the series, and over the last 4 minutes of load (the last 80 % of a
 * shorter run) the window's start, end and max, its max growth (max - start) and the least-squares slope.
 * Targets: idle <= 200 MB, after 5 minutes of load <= 300 MB, no growth over the last 4 minutes.
 *
 *   node_modules/.bin/node bench/e2e/memory-soak.ts [--minutes 5] [--sample 10] [--idle-seconds 90]
 *     [--subjects micro-dev,bare] [--node-flags="--max-semi-space-size=8 ..."] [--no-traces] [--out FILE]
 *   -> bench/results/memory.json (not when --node-flags is given, unless --out)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { controlRequest } from '../../runner/control/control-client.ts';
import { readRunFile, type RunInfo } from '../../runner/control/run-file.ts';
import { spawnUp } from './spawn-up.ts';
import type { ThreadHeap } from '../../runner/runtimes/worker/live-threads.ts';
import { descendants, eventually, launcherNodeFlags, repoRoot, writeTestTopology } from '../../test/support/cli-process.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    sample: { type: 'string', default: '10' },
    'idle-seconds': { type: 'string', default: '90' },
    subjects: { type: 'string', default: 'micro-dev,bare' },
    'node-flags': { type: 'string' },
    // Diagnostics: up with telemetry.traces off (where the memory goes: how much is tracing).
    'no-traces': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const num = (name: keyof typeof values, min: number) => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min} (got ${values[name]})`);
  return n;
};
const minutes = num('minutes', 0.1);
const sampleMs = num('sample', 1) * 1000;
const idleMs = num('idle-seconds', 0) * 1000;
const subjects = values.subjects!.split(',');
for (const s of subjects) if (s !== 'micro-dev' && s !== 'bare') throw new Error(`--subjects: micro-dev and/or bare, not ${s}`);
// Default: the launcher's own flags (what `npx micro-dev up` runs with); --node-flags replaces them.
const nodeFlags = values['node-flags'] === undefined ? launcherNodeFlags : values['node-flags'].split(' ').filter(Boolean);
const outFile = values.out ?? (values['node-flags'] !== undefined || values['no-traces'] ? undefined : join(repoRoot, 'bench/results/memory.json'));
const CONNECTIONS = 32;
const WINDOW_MINUTES = Math.min(4, minutes * 0.8);
const children = new Set<ChildProcess>();

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const round1 = (n: number) => Math.round(n * 10) / 10;
const load1 = () => Math.round(loadavg()[0]! * 100) / 100;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

type Phase = 'idle' | 'load' | 'after';

interface Sample {
  phase: Phase;
  /** Seconds since the subject was ready. */
  s: number;
  rssMb: number;
  anonMb: number;
  fileMb: number;
  load1: number;
  /** micro-dev only: V8's heap of its own thread, the instance threads' summed, each instance thread's (physical, MB). */
  mainHeapMb?: number;
  mainHeapUsedMb?: number;
  threadsHeapMb?: number;
  threads?: Record<string, number>;
  /** Anonymous memory that is no V8 heap: malloc (sockets, buffers, parsers), stacks, V8's own bookkeeping. */
  nativeMb?: number;
}

interface Subject {
  pid: number;
  url: string;
  resources?: () => Promise<{ heap: { physical: number; heapUsed: number }; threads: ThreadHeap[] }>;
  stop(): Promise<void>;
}

async function treeRss(pid: number): Promise<{ rssMb: number; anonMb: number; fileMb: number }> {
  let rss = 0;
  let anon = 0;
  let file = 0;
  for (const p of [pid, ...(await descendants(pid))]) {
    const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => '');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    rss += kb('VmRSS');
    anon += kb('RssAnon');
    file += kb('RssFile') + kb('RssShmem');
  }
  return { rssMb: round1(rss / 1024), anonMb: round1(anon / 1024), fileMb: round1(file / 1024) };
}

async function sample(subject: Subject, phase: Phase, since: number): Promise<Sample> {
  const tree = await treeRss(subject.pid);
  const out: Sample = { phase, s: Math.round((performance.now() - since) / 1000), ...tree, load1: load1() };
  if (subject.resources) {
    const r = await subject.resources();
    const threads = r.threads.reduce((a, t) => a + t.physical, 0);
    out.mainHeapMb = mb(r.heap.physical);
    out.mainHeapUsedMb = mb(r.heap.heapUsed);
    out.threadsHeapMb = mb(threads);
    out.threads = Object.fromEntries(r.threads.map((t) => [t.name, mb(t.physical)]));
    out.nativeMb = round1(tree.anonMb - mb(r.heap.physical + threads));
  }
  return out;
}

async function startBareChain(): Promise<Subject> {
  const child = spawn(process.execPath, [join(repoRoot, 'bench/e2e/bare-chain.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const address = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('READY ') && resolve(l.slice(6)));
    child.once('exit', (c) => reject(new Error(`bare chain exited ${c}`)));
  });
  return {
    pid: child.pid!,
    url: `http://${address}/greeter/say/hello?name=John`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      children.delete(child);
    },
  };
}

/** The default topology (3-tier greeter, greeter-srv x2) on free ports at real registry timing, `up --no-tui`. */
async function startMicroDev(): Promise<Subject> {
  const topo = await writeTestTopology();
  writeFileSync(
    topo.file,
    readFileSync(topo.file, 'utf8').replace(', time_scale: 0.1', '') + (values['no-traces'] ? 'telemetry: { traces: false }\n' : ''),
  );
  const { child, exited } = await spawnUp(topo.file, { nodeFlags, logFile: join(topo.dir, 'up.log'), cwd: topo.dir, children });
  // The run file is rewritten when `up` becomes ready: read it until it is there whole.
  const info: RunInfo = await eventually(() => readRunFile(topo.file), 10_000, 'run file');
  return {
    pid: child.pid!,
    url: `http://127.0.0.1:${topo.ports.gateway}/greeter/say/hello?name=John`,
    resources: () => controlRequest(info, '/api/resources'),
    async stop() {
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000).unref())]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      children.delete(child);
      rmSync(topo.dir, { recursive: true, force: true });
    },
  };
}

/** CPU time (user + system) of the process tree so far, in ms. */
async function treeCpuMs(pid: number): Promise<number> {
  let ticks = 0;
  for (const p of [pid, ...(await descendants(pid))]) {
    const stat = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

function wrk(url: string, seconds: number): Promise<{ requests: number; rps: number; errors: number; p99: string }> {
  return new Promise((resolve, reject) => {
    execFile('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', url], { timeout: (seconds + 60) * 1000 }, (error, stdout) => {
      if (error) return reject(error);
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      resolve({
        requests: Number(/(\d+) requests in/.exec(stdout)?.[1] ?? NaN),
        rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN)),
        errors: non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
        p99: /\s99%\s+(\S+)/.exec(stdout)?.[1] ?? '?',
      });
    });
  });
}

/** Samples every sampleMs until `until` settles (or for `ms` when given a number). */
async function sampleWhile(subject: Subject, phase: Phase, since: number, until: Promise<unknown> | number, into: Sample[]): Promise<void> {
  let done = false;
  const end = typeof until === 'number' ? new Promise((r) => setTimeout(r, until)) : until;
  void end.finally(() => (done = true)).catch(() => undefined);
  let next = performance.now();
  while (!done) {
    const s = await sample(subject, phase, since);
    into.push(s);
    console.log(
      `${phase.padEnd(5)} ${String(s.s).padStart(4)} s  rss ${s.rssMb} MB (anon ${s.anonMb}, file ${s.fileMb})` +
        (s.mainHeapMb !== undefined ? `  main heap ${s.mainHeapMb} (used ${s.mainHeapUsedMb})  threads ${s.threadsHeapMb}  native ${s.nativeMb}` : '') +
        `  load ${s.load1}`,
    );
    next += sampleMs;
    await Promise.race([end, new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())))]);
  }
  await end;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function measure(name: string, start: () => Promise<Subject>): Promise<Record<string, unknown>> {
  console.log(`\n== ${name}`);
  const subject = await start();
  const since = performance.now();
  const series: Sample[] = [];
  try {
    const check = await request(subject.url);
    const body = await check.body.text();
    if (check.statusCode !== 200 || !body.includes('Hello John')) throw new Error(`${subject.url} answered ${check.statusCode} ${body}`);
    await sampleWhile(subject, 'idle', since, idleMs, series);
    const loadStart = performance.now();
    const cpuBefore = await treeCpuMs(subject.pid);
    const load = wrk(subject.url, Math.round(minutes * 60));
    await sampleWhile(subject, 'load', since, load, series);
    const loaded = await load;
    const cpuMs = (await treeCpuMs(subject.pid)) - cpuBefore;
    // The load's last sample is taken as wrk ends.
    series.push(await sample(subject, 'load', since));
    await sampleWhile(subject, 'after', since, idleMs, series);
    series.push(await sample(subject, 'after', since));

    const phase = (p: Phase) => series.filter((s) => s.phase === p);
    const loadSamples = phase('load');
    const loadEndS = loadSamples.at(-1)!.s;
    const win = loadSamples.filter((s) => s.s >= loadEndS - WINDOW_MINUTES * 60);
    const rss = win.map((s) => s.rssMb);
    const medianOf = (xs: Sample[], key: keyof Sample) => round1(median(xs.map((s) => s[key] as number)));
    const summary = (xs: Sample[]) => ({
      rssMb: medianOf(xs, 'rssMb'),
      anonMb: medianOf(xs, 'anonMb'),
      fileMb: medianOf(xs, 'fileMb'),
      ...(subject.resources ? { mainHeapMb: medianOf(xs, 'mainHeapMb'), threadsHeapMb: medianOf(xs, 'threadsHeapMb'), nativeMb: medianOf(xs, 'nativeMb') } : {}),
    });
    return {
      idle: summary(phase('idle')),
      endOfLoad: loadSamples.at(-1),
      lastMinuteOfLoad: summary(loadSamples.filter((s) => s.s >= loadEndS - 60)),
      after: summary(phase('after')),
      lastWindow: {
        minutes: round1(WINDOW_MINUTES),
        samples: win.length,
        startMb: rss[0],
        endMb: rss.at(-1),
        maxMb: Math.max(...rss),
        maxGrowthMb: round1(Math.max(...rss) - rss[0]!),
        slopeMbPerMinute: round1(slope(win.map((s) => s.s / 60), rss)),
      },
      wrk: { ...loaded, seconds: Math.round(minutes * 60), startedAtS: Math.round((loadStart - since) / 1000) },
      // CPU of the whole tree per request under load (the sampling's own requests included: a few per 10 s).
      cpuMsPerRequest: Math.round((cpuMs / loaded.requests) * 1000) / 1000,
      series,
    };
  } finally {
    await subject.stop();
  }
}

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  nodeFlags,
  traces: !values['no-traces'],
  wrk: `-t1 -c${CONNECTIONS} GET /greeter/say/hello`,
  minutes,
  sampleSeconds: sampleMs / 1000,
  idleSeconds: idleMs / 1000,
  loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  targets: { idleMb: 200, loadedMb: 300, growthOverLast4MinutesMb: 0 },
};
try {
  if (subjects.includes('micro-dev')) results.microDev = await measure('micro-dev up (default topology)', startMicroDev);
  if (subjects.includes('bare')) results.bareChain = await measure('bare node:http chain', startBareChain);
} finally {
  for (const c of children) c.kill('SIGKILL');
}
results.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
for (const key of ['microDev', 'bareChain'] as const) {
  const r = results[key] as { idle: unknown; endOfLoad: Sample; after: unknown; lastWindow: unknown; wrk: unknown; cpuMsPerRequest: number } | undefined;
  if (r) console.log(key, JSON.stringify({ idle: r.idle, endOfLoadMb: r.endOfLoad.rssMb, after: r.after, lastWindow: r.lastWindow, wrk: r.wrk, cpuMsPerRequest: r.cpuMsPerRequest }));
}
if (outFile) {
  writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
  console.log(`wrote ${outFile}`);
}
