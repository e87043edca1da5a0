/**
 * Where the main thread's time goes, per request, sampled by Linux `perf` instead of the V8 inspector
 * (issue 13, 16): the bare Node chain, `up` with tracing off and `up` with tracing on, loaded in turn by the
 * same wrk as the e2e and traces benches, each profiled over the same seconds of load.
 *
 *   node --perf-prof (each JIT code object, with its address and time, in jit-<pid>.dump) ── wrk -t1 -c32 ──>
 *   perf record -k 1 -e cpu-clock -F 999 -g -t <main thread> ── perf inject --jit ── perf script ──>
 *   each sample's stack, classified:
 *     kernel (the leaf is in the kernel: socket reads and writes), gc (the leaf is V8's heap code),
 *     else the innermost frame of ours decides: tracing, links, kit, gateway, proxy, registry, engine, other;
 *     no frame of ours: node (node:http, streams, timers, V8 builtins on their behalf); the bare chain's
 *     own handlers: bare-chain
 *   JIT code is named by its physical frame: a function V8 inlined counts toward the one it was inlined
 *   into (ours into node's or node's into ours), so the split between components moves with the
 *   optimizer's choices; busy, kernel and gc do not.
 *   Why the jitdump and not --perf-basic-prof's /tmp/perf-<pid>.map (this bench's first runs): the map
 *   lists every code object ever made with no time, and V8 reuses the addresses of code it collected or
 *   moved, so perf named many samples after a function that had lived at that address before. One
 *   profile of the gateway path charged 17 µs a request to the kit's PoolAgent.keepSocketAlive, 0.2 µs
 *   by the jitdump in the same minutes. `perf inject --jit` names each sample by the code that was at its
 *   address when it was taken.
 *   µs per request = samples / 999 Hz / requests answered in the same seconds
 *
 * Why not the inspector's profiler (what earlier sessions used): attaching it slows the process it looks at
 * (the gateway path ran at ~1,600-2,000 req/s under a 100 µs sampling profile against ~3,000 without, the
 * bare chain 2,264 against 5,800), and attaching (or starting with --inspect) can leave node's
 * `process.nextTick` in a slow state (0.27-0.34 ms per 1,000 ticks against 0.08; HISTORY, thirteenth
 * session), so the profile is of another process. perf's cpu-clock sampling of one thread, at 999 Hz, costs
 * the process nothing it can see. Needs Linux `perf` (Debian: linux-perf) and, in a container, a
 * perf_event_paranoid that lets it sample the bench's own children (<= 2).
 *
 *   node bench/profile/main-thread-profile.ts [--seconds 10] [--warmup 30] [--rounds 3] [--rate N] [--out FILE]
 *   -> bench/results/profile.json
 *
 *   --rate N: each subject profiled at the same offered rate (N requests a second over 16 connections,
 *   paced by wrk itself on one schedule) instead of at its own full load. At full load the slower
 *   subject answers fewer requests per turn of its event loop, so each request carries more of the loop's
 *   fixed costs (epoll, wake-ups, timers) and every component reads larger; at one rate, the difference
 *   between subjects is the work their requests do. µs per request = samples / rate actually served.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { repoRoot } from '../../test/support/cli-process.ts';
import { pacedLua } from '../e2e/paced-lua.ts';
import { startBareChain, startGreeterUp } from '../traces/greeter-ups.ts';

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '3' },
    rate: { type: 'string' },
    out: { type: 'string' },
  },
});
const seconds = Number(args.seconds);
const warmupSeconds = Number(args.warmup);
const rounds = Number(args.rounds);
const rate = args.rate === undefined ? undefined : Number(args.rate);
/** Connections of the paced load (--rate). */
const PACED_CONNECTIONS = 16;
const outFile = args.out ?? join(repoRoot, 'bench/results/profile.json');
for (const [name, value] of Object.entries({ seconds, warmup: warmupSeconds, rounds, ...(rate === undefined ? {} : { rate }) })) {
  if (!Number.isInteger(value) || value < (name === 'warmup' ? 0 : 1)) {
    console.error(`--${name} wants a whole number${name === 'warmup' ? '' : ' of at least 1'}, not ${JSON.stringify(args[name as keyof typeof args])}`);
    process.exit(2);
  }
}
const HZ = 999;
const children = new Set<ChildProcess>();
const dir = mkdtempSync(join(tmpdir(), 'micro-dev-profile-bench-'));
// perf's build-id cache (~/.debug by default, where inject copies its ELF files: ~1 GB a run): the bench's folder
const perf = (...argv: string[]) => ['--buildid-dir', join(dir, 'perf-buildid'), ...argv];

/** Innermost frame of ours -> component (first match wins: tracing code lives in several folders). */
const COMPONENTS: [string, RegExp][] = [
  ['tracing', /runner\/traces\/|runner\/faults\/exchange-tracing|services\/kit\/(call-tracer|trace-context)/],
  ['links', /runner\/faults\//],
  ['kit', /services\/kit\//],
  ['gateway', /runner\/gateway\//],
  ['proxy', /runner\/proxy\//],
  ['registry', /runner\/registry\//],
  ['engine', /runner\/engine\//],
  ['other', /runner\/|services\//],
  ['bare-chain', /bench\/e2e\/bare-chain/],
];
// builtins: `Builtins_X` from node's binary, `Builtin:X` when the jitdump names them
const GC = /v8::internal::(Heap|Scavenger|ScavengerCollector|MarkCompact|MinorMark|Sweeper|ConcurrentMarking|IncrementalMarking|MemoryAllocator|PagedSpace|NewSpace|SemiSpace|Evacuat)|Builtins?[_:]RecordWrite/;

interface Profile {
  requests: number;
  rps: number;
  samples: number;
  /** Main-thread busy time per request, µs, and its split. */
  busyMicrosPerRequest: number;
  microsPerRequest: Record<string, number>;
  /** Leaf symbols with the most samples, µs per request. */
  topLeaves: { symbol: string; micros: number }[];
}

/** Classifies `perf script -F ip,sym,dso` output (stacks separated by blank lines, leaf first). */
function classify(script: string, requests: number): Omit<Profile, 'rps'> {
  const byComponent = new Map<string, number>();
  const leaves = new Map<string, number>();
  let samples = 0;
  for (const block of script.split('\n\n')) {
    // each line: <ip> <symbol> (<dso>)
    const frames = block
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => l.slice(l.indexOf(' ') + 1));
    if (frames.length === 0) continue;
    samples++;
    const leaf = frames[0]!;
    const symbol = leaf.replace(/ \([^()]*\)$/, '');
    leaves.set(symbol, (leaves.get(symbol) ?? 0) + 1);
    let component: string;
    if (leaf.endsWith('([kernel.kallsyms])')) component = 'kernel';
    else if (GC.test(leaf)) component = 'gc';
    else {
      component = 'node';
      for (const f of frames) {
        if (!f.includes('file://')) continue;
        const hit = COMPONENTS.find(([, rx]) => rx.test(f));
        if (hit) {
          component = hit[0];
          break;
        }
      }
    }
    byComponent.set(component, (byComponent.get(component) ?? 0) + 1);
  }
  const micros = (n: number) => Math.round((n / HZ / requests) * 1e6 * 10) / 10;
  return {
    requests,
    samples,
    busyMicrosPerRequest: micros(samples),
    microsPerRequest: Object.fromEntries([...byComponent].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, micros(v)])),
    topLeaves: [...leaves]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([symbol, n]) => ({ symbol, micros: micros(n) })),
  };
}

async function wrk(url: string, secs: number, pacedRps?: number): Promise<{ requests: number; rps: number }> {
  let args = ['-t1', '-c32', `-d${secs}s`, url];
  if (pacedRps !== undefined) {
    const script = join(dir, 'paced.lua');
    writeFileSync(script, pacedLua(pacedRps));
    args = ['-t1', `-c${PACED_CONNECTIONS}`, `-d${secs}s`, '-s', script, url];
  }
  const { stdout } = await run('wrk', args, { timeout: (secs + 30) * 1000 });
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? NaN);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  return { requests, rps: Math.round(rps) };
}

/** perf samples the main thread for `seconds` inside a wrk run that starts 1 s before and ends 1 s after. */
async function profile(pid: number, url: string): Promise<Profile> {
  const data = join(dir, `perf-${pid}-${Date.now()}.data`);
  const load = wrk(url, seconds + 2, rate);
  await new Promise((r) => setTimeout(r, 1000));
  // -k 1: the monotonic clock the jitdump's records are stamped with, so inject can match them
  await run('perf', perf('record', '-q', '-N', '-k', '1', '-e', 'cpu-clock', '-F', String(HZ), '-g', '-t', String(pid), '-o', data, '--', 'sleep', String(seconds)), { timeout: (seconds + 30) * 1000 });
  const { rps } = await load;
  // one ELF file per JIT code object (jitted-<pid>-<n>.so, beside the jitdump, in the bench's folder)
  await run('perf', perf('inject', '--jit', '-i', data, '-o', `${data}.jit`), { timeout: 300_000 });
  const { stdout } = await run('perf', perf('script', '-i', `${data}.jit`, '-F', 'ip,sym,dso'), { maxBuffer: 1 << 30, timeout: 120_000 });
  rmSync(join(dir, 'perf-buildid'), { recursive: true, force: true });
  rmSync(data, { force: true });
  rmSync(`${data}.jit`, { force: true });
  for (const f of readdirSync(dir)) if (f.startsWith(`jitted-${pid}-`)) rmSync(join(dir, f), { force: true });
  // the perf window saw the steady middle of the wrk run: its requests at the run's rate
  return { ...classify(stdout, rps * seconds), rps };
}

/** The median (of an even count, the mean of the middle two). */
function medianOf(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return Math.round((sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2) * 10) / 10;
}

async function main(): Promise<void> {
  try {
    await run('perf', ['--version']);
  } catch {
    throw new Error('bench profile needs Linux perf on PATH (Debian: apt install linux-perf)');
  }
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, wrk: rate === undefined ? '-t1 -c32' : `-t1 -c${PACED_CONNECTIONS}, paced at ${rate} requests a second`, perfHz: HZ, seconds, rounds, loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100) };
  // the ups and the bare chain run in `dir`: their jitdumps (and the isolate logs V8 writes with them) go with it
  const env = { children, dir, extraNodeFlags: ['--perf-prof'] };
  const stops: (() => Promise<void>)[] = [];
  try {
    const bare = await startBareChain(env);
    const off = await startGreeterUp('profile-off', false, env);
    stops.push(off.stop);
    const on = await startGreeterUp('profile-on', true, env);
    stops.push(on.stop);
    const targets = { bare, off, on };
    console.log(`warming each for ${warmupSeconds} s`);
    for (const t of Object.values(targets)) await wrk(t.url, warmupSeconds);
    const profiles: Record<string, Profile[]> = { bare: [], off: [], on: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? (['bare', 'off', 'on'] as const) : (['on', 'off', 'bare'] as const);
      for (const name of order) {
        const p = await profile(targets[name].pid, targets[name].url);
        profiles[name]!.push(p);
        if (rate !== undefined && p.rps < rate * 0.95) console.log(`round ${r + 1} ${name}: served ${p.rps} of the ${rate} requests a second offered (its µs per request are at the rate it served)`);
        console.log(`round ${r + 1} ${name.padEnd(4)} ${p.rps} req/s, main thread busy ${p.busyMicrosPerRequest} µs/request: ${Object.entries(p.microsPerRequest).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      }
    }
    // medians per component over the rounds
    const summary: Record<string, Record<string, number>> = {};
    for (const [name, ps] of Object.entries(profiles)) {
      const keys = new Set(ps.flatMap((p) => Object.keys(p.microsPerRequest)));
      summary[name] = { busy: medianOf(ps.map((p) => p.busyMicrosPerRequest)), rps: medianOf(ps.map((p) => p.rps)) };
      for (const k of keys) summary[name]![k] = medianOf(ps.map((p) => p.microsPerRequest[k] ?? 0));
    }
    results.medianMicrosPerRequest = summary;
    results.profiles = profiles;
    console.log('\nmain thread, µs per request (medians):');
    const keys = [...new Set(Object.values(summary).flatMap((s) => Object.keys(s)))].filter((k) => k !== 'rps');
    console.log(`${''.padEnd(10)}${['bare', 'off', 'on'].map((n) => n.padStart(9)).join('')}`);
    for (const k of keys) console.log(`${k.padEnd(10)}${['bare', 'off', 'on'].map((n) => String(summary[n]![k] ?? 0).padStart(9)).join('')}`);
  } finally {
    for (const stop of stops) await stop();
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  results.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
  console.log(`\n-> ${outFile}`);
}

main().catch((e: Error) => {
  console.error(e.message);
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
});
