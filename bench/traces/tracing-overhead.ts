/**
 * Tracing overhead (issue 16): the same request path with tracing on (every request sampled: gateway,
 * call/attempt spans, a span per link crossed, proxy spans, all into the in-memory store) and off
 * (`telemetry: {traces: false}`), two `micro-dev up`s side by side, rounds alternating in one run; plus the
 * bare Node chain with the same four hops (bench/e2e/bare-chain.ts) for scale. Then the memory of the
 * TraceStore filled to its span cap with real spans (one recorded trace of this path, copied under fresh
 * ids), measured as heap growth after a forced GC.
 *
 * CPU per request (user + system time of each server's process tree over a round / requests answered)
 * is reported beside req/s: on a machine shared with other work it is the number contention distorts least.
 * The main thread's CPU per request is reported too (it runs the gateway, proxy, links and trace store, and
 * it is the bottleneck), and every overhead also paired by round (median of the on/off ratios of rounds
 * that ran back to back), which follows the machine's load drift less than a ratio of medians.
 * The span work alone (span-cost.ts: the 7 spans of one request made in process, no sockets) is reported
 * against the off path's CPU per request, to tell span work from what tracing costs elsewhere. A fourth
 * mode, `unsampled`, loads the tracing-on `up` with a caller's unsampled traceparent: every hop propagates
 * (parses, span ids, injects, link rewrites) and nothing is recorded, which splits the cost into
 * propagation (unsampled vs off) and recording (on vs unsampled). A fifth, `bareOtel`, is the bare chain
 * traced by OpenTelemetry's own Node SDK and HTTP instrumentation (bare-chain.ts --otel: the same 7 spans a
 * request, every one sampled, ended into a BatchSpanProcessor): the anchor for what tracing these hops costs
 * with a tracer we did not write (bareOtel vs bare, in the same rounds).
 * Both `up`s run with `--trace-gc-nvp`, and each round records what the collector did on its main thread
 * (gc-trace.ts: scavenges, the KB each promoted, full collections): two `up`s of the same code can settle
 * into different collector states, and the record tells whether a run's result is the collector's.
 *
 *   wrk -t1 -c32 ──> gateway GET /greeter/say/hello ──link──> greeter-api ──link──> proxy ──link──> greeter-srv x2
 *
 *   node_modules/.bin/node --expose-gc bench/traces/tracing-overhead.ts [--rounds 10] [--seconds 4] [--warmup 4] [--out FILE]
 *   -> bench/results/traces.json
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { descendants, repoRoot } from '../../test/support/cli-process.ts';
import { readRunFile } from '../../runner/control/run-file.ts';
import { controlRequest } from '../../runner/control/control-client.ts';
import type { TraceDetail, TraceSummary } from '../../runner/engine/api.ts';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace as trace_, type Span } from '@opentelemetry/api';
import { Tracing, type Component } from '../../runner/traces/tracing.ts';
import { spanTree } from '../../runner/tui/lines/trace-lines.ts';
import { rssMb } from '../tui/gateway-load-tally.ts';
import { spanCost } from './span-cost.ts';
import { startBareChain, startGreeterUp } from './greeter-ups.ts';
import { mainThreadCpuMs, treeCpuMs } from '../e2e/cpu-use.ts';
import { GcTrace, type GcSlice } from '../e2e/gc-trace.ts';

const run = promisify(execFile);
const option = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const rounds = Number(option('rounds') ?? 10);
const seconds = Number(option('seconds') ?? 4);
const warmup = Number(option('warmup') ?? 4);
const outFile = option('out') ?? join(repoRoot, 'bench/results/traces.json');
const CONNECTIONS = 32;
const children = new Set<ChildProcess>();
const dir = mkdtempSync(join(tmpdir(), 'micro-dev-traces-bench-'));
const load1 = () => Math.round(loadavg()[0]! * 100) / 100;

interface WrkRun {
  rps: number;
  requests: number;
  /** CPU milliseconds (user + system) the server process tree used per request in this round. */
  cpuMsPerRequest?: number;
  /** The same for the process's main thread alone (gateway, proxy, links and the trace store run there). */
  mainCpuMsPerRequest?: number;
  p50: number;
  p99: number;
  errors: number;
  load1: number;
  /** What the collector did on the `up`'s main thread in this round (gc-trace.ts). */
  gc?: GcSlice;
}

function wrkMs(s: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s ?? '');
  if (!m) return NaN;
  const v = Number(m[1]);
  return Math.round((m[2] === 'us' ? v / 1000 : m[2] === 'ms' ? v : m[2] === 's' ? v * 1000 : v * 60_000) * 100) / 100;
}

/**
 * What wrk sends for the `unsampled` mode: a caller's traceparent with the sampled flag off. The tracing-on
 * `up` then does all its propagation (parses, new span ids, injects, the links' rewrites) and records
 * nothing (parent-based sampling): on vs unsampled is the span recording, unsampled vs off the propagation.
 */
const UNSAMPLED = 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';

async function wrk(url: string, header?: string): Promise<WrkRun> {
  const { stdout } = await run('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', ...(header ? ['-H', header] : []), url], { timeout: (seconds + 30) * 1000 });
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN)),
    requests: Number(/(\d+) requests in/.exec(stdout)?.[1] ?? NaN),
    p50: wrkMs(/\s50%\s+(\S+)/.exec(stdout)?.[1]),
    p99: wrkMs(/\s99%\s+(\S+)/.exec(stdout)?.[1]),
    errors: non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
    load1: load1(),
  };
}

async function treeRssMb(pid: number): Promise<number> {
  let total = rssMb(pid);
  for (const p of await descendants(pid)) total += rssMb(p);
  return total;
}

/**
 * Heap growth of the store at its caps, filled by replaying a real trace through micro-dev's own Tracing
 * (recorded spans under fresh ids, kept the way a running `up` keeps them until someone reads them):
 * `classes`: the trace-count caps (200 plain, the 64 arriving, 100 failed, 100 slow traces of this path's
 * size; a second apart, so each plain one is kept);
 * `spans`: the span cap (20000), with wide traces (the real spans repeated up to 252 per trace).
 */
function storeAtCap(trace: TraceDetail, mode: 'classes' | 'spans'): { traces: number; spans: number; heapMb: number; bytesPerSpan: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (node --expose-gc bench/traces/tracing-overhead.ts)');
  gc();
  const before = process.memoryUsage().heapUsed;
  const tracing = new Tracing();
  const tree = spanTree(trace.spans).map((n) => n.span);
  const t0 = trace.summary.startMs;
  const width = mode === 'spans' ? Math.floor(252 / trace.spans.length) : 1;
  const base = Date.now();
  for (let i = 0; i < 2_000; i++) {
    const kind = mode === 'spans' ? 'plain' : (['failed', 'slow', 'plain', 'plain'] as const)[i % 4];
    let root: Span | undefined;
    for (let w = 0; w < width; w++) {
      const made = new Map<string, Span>();
      for (const s of tree) {
        const parent = s.parentId !== undefined ? made.get(s.parentId) : root;
        const ctx = parent ? trace_.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
        // plain copies last ~100 ms; slow roots 1.5 s; failed roots carry the error
        const start = base + i * 1000 + ((s.startMs - t0) / Math.max(1, trace.summary.durationMs)) * 90;
        const span = tracing.tracer(s.service as Component).startSpan(s.name, { kind: KINDS[s.kind], attributes: s.attributes, startTime: start }, ctx);
        for (const e of s.events) span.addEvent(e.name, e.attributes, start + e.atMs);
        const isRoot = parent === undefined;
        if (isRoot) root = span;
        if (s.error !== undefined || (kind === 'failed' && isRoot)) span.setStatus({ code: SpanStatusCode.ERROR, message: s.error ?? 'call timeout' });
        made.set(s.spanId, span);
      }
      for (const s of [...tree].reverse()) {
        const start = base + i * 1000 + ((s.startMs - t0) / Math.max(1, trace.summary.durationMs)) * 90;
        made.get(s.spanId)!.end(start + (kind === 'slow' && s.parentId === undefined ? 1500 : Math.min(s.durationMs, 10)));
      }
    }
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  const { traces, spans } = tracing.store.size();
  return { traces, spans, heapMb: Math.round((grown / 1024 / 1024) * 10) / 10, bytesPerSpan: Math.round(grown / spans) };
}

const KINDS = { internal: SpanKind.INTERNAL, server: SpanKind.SERVER, client: SpanKind.CLIENT, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER };

const median = (runs: WrkRun[]) => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;

async function main(): Promise<void> {
  // the store's size at its caps is measured last, after minutes of rounds: refuse now, not then
  if (!(globalThis as { gc?: unknown }).gc) {
    console.error('run with --expose-gc (npm run bench -- traces passes it; by hand: node --expose-gc bench/traces/tracing-overhead.ts)');
    process.exit(2);
  }
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, wrk: `-t1 -c${CONNECTIONS} -d${seconds}s`, rounds, warmupRounds: warmup, loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100) };
  const bare = await startBareChain({ children, dir });
  const bareOtel = await startBareChain({ children, dir }, ['--otel']);
  const upEnv = { children, dir, extraNodeFlags: ['--trace-gc-nvp'] };
  const off = await startGreeterUp('traces-off', false, upEnv);
  const on = await startGreeterUp('traces-on', true, upEnv);
  const gcOf = { off: new GcTrace(off.logFile), on: new GcTrace(on.logFile) };
  try {
    const paths = { bare: bare.url, bareOtel: bareOtel.url, off: off.url, on: on.url, unsampled: on.url };
    const headerOf = (name: keyof typeof paths) => (name === 'unsampled' ? UNSAMPLED : undefined);
    // warm-up, alternating like the rounds: JIT, connection pools, caches. A fresh `up` needs 15-20 s of load
    // to reach its steady throughput (one run, rounds of 5 s: 745, 1105, 1554, 2041, 2104 req/s)
    for (let w = 0; w < warmup; w++) for (const name of ['bare', 'bareOtel', 'off', 'on'] as const) await wrk(paths[name]);
    gcOf.off.skip();
    gcOf.on.skip();
    const runs: Record<string, WrkRun[]> = { bare: [], bareOtel: [], off: [], on: [], unsampled: [] };
    for (let r = 0; r < rounds; r++) {
      // alternate the order each round so neither mode always runs right after the other
      const order = r % 2 === 0 ? (['off', 'on', 'unsampled', 'bare', 'bareOtel'] as const) : (['unsampled', 'on', 'off', 'bareOtel', 'bare'] as const);
      for (const name of order) {
        const pid = name === 'bare' ? bare.pid : name === 'bareOtel' ? bareOtel.pid : name === 'off' ? off.pid : on.pid;
        const cpu0 = await treeCpuMs([pid]);
        const main0 = mainThreadCpuMs(pid);
        const result = await wrk(paths[name], headerOf(name));
        result.cpuMsPerRequest = Math.round(((await treeCpuMs([pid])) - cpu0) / result.requests * 1000) / 1000;
        result.mainCpuMsPerRequest = Math.round((mainThreadCpuMs(pid) - main0) / result.requests * 1000) / 1000;
        const gc = name === 'off' ? gcOf.off : name === 'on' || name === 'unsampled' ? gcOf.on : undefined;
        if (gc) result.gc = gc.next();
        runs[name]!.push(result);
        const gcText = result.gc ? `  gc: ${result.gc.scavenges} scavenges promoting ${result.gc.promotedKbMedian} KB (median), ${result.gc.markCompacts} full` : '';
        console.log(`round ${r + 1} ${name.padEnd(9)} ${String(result.rps).padStart(6)} req/s  cpu ${result.cpuMsPerRequest} ms/req (main thread ${result.mainCpuMsPerRequest})  p50 ${result.p50} ms  p99 ${result.p99} ms  errors ${result.errors}  load ${result.load1}${gcText}`);
      }
    }
    const m = { bare: median(runs.bare!), bareOtel: median(runs.bareOtel!), off: median(runs.off!), on: median(runs.on!), unsampled: median(runs.unsampled!) };
    const overhead = Math.round((1 - m.on.rps / m.off.rps) * 1000) / 10;
    // CPU per request is what a shared machine does not distort: the median round of each by that measure
    const cpu = (name: string) => [...runs[name]!.map((x) => x.cpuMsPerRequest!)].sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
    const cpuOverhead = Math.round((cpu('on') / cpu('off') - 1) * 1000) / 10;
    results.throughput = { runs, median: m, tracingOverheadPercent: overhead, onVsOff: Math.round((m.on.rps / m.off.rps) * 1000) / 1000, offVsBare: Math.round((m.off.rps / m.bare.rps) * 1000) / 1000 };
    results.cpuPerRequest = { medianMs: { off: cpu('off'), on: cpu('on'), bare: cpu('bare') }, tracingOverheadPercent: cpuOverhead };
    // Paired per round (on and off ran back to back, order alternating): the median of the round ratios
    // follows the machine's load drift less than a ratio of medians. The main thread is the bottleneck.
    const pairedMedian = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! * 1000) / 10;
    const paired = {
      throughputOverheadPercent: pairedMedian(runs.on!.map((on, i) => 1 - on.rps / runs.off![i]!.rps)),
      cpuOverheadPercent: pairedMedian(runs.on!.map((on, i) => on.cpuMsPerRequest! / runs.off![i]!.cpuMsPerRequest! - 1)),
      mainThreadCpuOverheadPercent: pairedMedian(runs.on!.map((on, i) => on.mainCpuMsPerRequest! / runs.off![i]!.mainCpuMsPerRequest! - 1)),
    };
    const mainCpu = (name: string) => [...runs[name]!.map((x) => x.mainCpuMsPerRequest!)].sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
    results.mainThreadCpuPerRequest = { medianMs: { off: mainCpu('off'), on: mainCpu('on') } };
    results.pairedByRound = paired;
    // the collector's state on each `up`'s main thread over the rounds (the tracing-on `up` serves `on` and `unsampled`)
    const gcSummary = (name: 'off' | 'on' | 'unsampled') => {
      const xs = runs[name]!.filter((x) => x.gc);
      const scavenges = xs.reduce((a, x) => a + x.gc!.scavenges, 0);
      const requests = xs.reduce((a, x) => a + x.requests, 0);
      const promoted = xs.map((x) => x.gc!.promotedKbMedian).sort((a, b) => a - b);
      return {
        promotedKbPerScavengeByRound: { min: promoted[0] ?? 0, median: promoted[Math.floor(promoted.length / 2)] ?? 0, max: promoted.at(-1) ?? 0 },
        scavengesPerThousandRequests: requests ? Math.round((scavenges / requests) * 10_000) / 10 : 0,
        markCompacts: xs.reduce((a, x) => a + x.gc!.markCompacts, 0),
      };
    };
    results.mainThreadGc = { off: gcSummary('off'), on: gcSummary('on'), unsampled: gcSummary('unsampled') };
    for (const name of ['off', 'on', 'unsampled'] as const) {
      const g = gcSummary(name);
      console.log(`gc, ${name} rounds: promoted ${g.promotedKbPerScavengeByRound.min}-${g.promotedKbPerScavengeByRound.max} KB a scavenge (median of rounds ${g.promotedKbPerScavengeByRound.median}), ${g.scavengesPerThousandRequests} scavenges per 1,000 requests, ${g.markCompacts} full collections`);
    }
    console.log(`paired by round (median of on/off per round): throughput ${paired.throughputOverheadPercent} %, CPU per request ${paired.cpuOverheadPercent} %, main thread CPU per request ${paired.mainThreadCpuOverheadPercent} %`);
    // Position-balanced: whichever `up` ran second in a round (right after the other one) used to be slower
    // (15 rounds of 3 s, 2026-12-03: off 2,031-2,340 req/s first vs 1,687-1,797 second), so the per-round
    // ratios fell in two groups by order (0.65-0.81 and 0.95-1.02). The cause: that `up` had sat idle
    // through two turns, and up's idle memory trim ran then, a last-resort GC that also drops compiled code
    // (runner/cli/idle-memory-trim.ts; it now waits for a minute of quiet). The groups are gone since; two
    // consecutive rounds still have both orders, and the geometric mean of their two ratios, median over
    // the pairs, stays as the headline: it cancels whatever is left of the position.
    const balanced = (ratio: (i: number) => number): number => {
      const pairs: number[] = [];
      for (let i = 0; i + 1 < rounds; i += 2) pairs.push(Math.sqrt(ratio(i) * ratio(i + 1)));
      return [...pairs].sort((a, b) => a - b)[Math.floor(pairs.length / 2)] ?? NaN;
    };
    const percent = (x: number) => Math.round(x * 1000) / 10;
    const positionBalanced = {
      throughputOverheadPercent: percent(1 - balanced((i) => runs.on![i]!.rps / runs.off![i]!.rps)),
      cpuOverheadPercent: percent(balanced((i) => runs.on![i]!.cpuMsPerRequest! / runs.off![i]!.cpuMsPerRequest!) - 1),
      mainThreadCpuOverheadPercent: percent(balanced((i) => runs.on![i]!.mainCpuMsPerRequest! / runs.off![i]!.mainCpuMsPerRequest!) - 1),
    };
    results.positionBalanced = positionBalanced;
    console.log(`position-balanced (median over pairs of rounds of the geometric mean of their on/off ratios): throughput ${positionBalanced.throughputOverheadPercent} %, CPU per request ${positionBalanced.cpuOverheadPercent} %, main thread CPU per request ${positionBalanced.mainThreadCpuOverheadPercent} %`);
    // Where tracing's cost is: propagation alone (unsampled: the same hops, ids, headers and rewrites, no
    // span kept) against off, and the recording (on) against unsampled; main thread, position-balanced.
    const mainRatio = (a: string, b: string) => (i: number) => runs[a]![i]!.mainCpuMsPerRequest! / runs[b]![i]!.mainCpuMsPerRequest!;
    const cpuRatio = (a: string, b: string) => (i: number) => runs[a]![i]!.cpuMsPerRequest! / runs[b]![i]!.cpuMsPerRequest!;
    const split = {
      medianMainCpuMs: { off: mainCpu('off'), unsampled: mainCpu('unsampled'), on: mainCpu('on') },
      medianCpuMs: { off: cpu('off'), unsampled: cpu('unsampled'), on: cpu('on') },
      propagationMainCpuPercent: percent(balanced(mainRatio('unsampled', 'off')) - 1),
      recordingMainCpuPercent: percent(balanced(mainRatio('on', 'unsampled')) - 1),
      propagationCpuPercent: percent(balanced(cpuRatio('unsampled', 'off')) - 1),
      recordingCpuPercent: percent(balanced(cpuRatio('on', 'unsampled')) - 1),
      throughputUnsampledVsOffPercent: percent(1 - balanced((i) => runs.unsampled![i]!.rps / runs.off![i]!.rps)),
    };
    results.propagationVsRecording = split;
    console.log(
      `propagation alone (unsampled traceparent vs off): main thread +${split.propagationMainCpuPercent} %, CPU +${split.propagationCpuPercent} %, throughput -${split.throughputUnsampledVsOffPercent} %; ` +
        `recording (on vs unsampled): main thread +${split.recordingMainCpuPercent} %, CPU +${split.recordingCpuPercent} %`,
    );
    // the anchor: OpenTelemetry's own SDK and HTTP instrumentation on the bare chain, against the bare chain
    const otelAnchor = {
      throughputOverheadPercent: percent(1 - balanced((i) => runs.bareOtel![i]!.rps / runs.bare![i]!.rps)),
      cpuOverheadPercent: percent(balanced(cpuRatio('bareOtel', 'bare')) - 1),
      mainThreadCpuOverheadPercent: percent(balanced(mainRatio('bareOtel', 'bare')) - 1),
      medianCpuMs: { bare: cpu('bare'), bareOtel: cpu('bareOtel') },
      addedCpuMsPerRequest: { openTelemetryOnBareChain: Math.round((cpu('bareOtel') - cpu('bare')) * 1000) / 1000, microDev: Math.round((cpu('on') - cpu('off')) * 1000) / 1000 },
    };
    results.openTelemetryOnBareChain = otelAnchor;
    console.log(
      `OpenTelemetry's Node SDK + HTTP instrumentation on the bare chain (position-balanced): throughput -${otelAnchor.throughputOverheadPercent} %, CPU +${otelAnchor.cpuOverheadPercent} %, main thread +${otelAnchor.mainThreadCpuOverheadPercent} %; ` +
        `CPU added per request: OpenTelemetry on the bare chain ${otelAnchor.addedCpuMsPerRequest.openTelemetryOnBareChain} ms, micro-dev's tracing ${otelAnchor.addedCpuMsPerRequest.microDev} ms`,
    );
    console.log(`median req/s: off ${m.off.rps}, on ${m.on.rps} (overhead ${overhead} %), bare chain ${m.bare.rps}, bare chain + OpenTelemetry ${m.bareOtel.rps}`);
    console.log(`median CPU per request: off ${cpu('off')} ms, on ${cpu('on')} ms (overhead ${cpuOverhead} %), bare chain ${cpu('bare')} ms`);
    // the span work alone, in process (span-cost.ts), against the CPU one request costs with tracing off
    const work = spanCost();
    results.spanWork = { ...work, shareOfOffCpuPerRequest: Math.round((work.microsPerRequest / 1000 / cpu('off')) * 1000) / 1000 };
    console.log(`span work alone, in process: ${work.microsPerRequest} µs CPU per request (${work.spansPerRequest} spans), ${Math.round((work.microsPerRequest / 10 / cpu('off')) * 10) / 10} % of the off path's CPU per request`);
    results.rssAfterLoadMb = { off: await treeRssMb(off.pid), on: await treeRssMb(on.pid), bareChain: rssMb(bare.pid), bareChainOpenTelemetry: rssMb(bareOtel.pid) };

    // one real recorded trace of this path, for the store's memory at its cap
    const info = (await readRunFile(on.file))!;
    const kept = await controlRequest<TraceSummary[]>(info, '/api/traces?limit=1000');
    results.storeKeptAfterLoad = { traces: kept.length, failed: kept.filter((t) => t.failed).length, slow: kept.filter((t) => t.slow).length };
    // a complete trace of one successful request (the most spans among the plain ones)
    const sample = [...kept].filter((t) => !t.failed && !t.slow).sort((a, b) => b.spans - a.spans)[0] ?? kept[0]!;
    const trace = await controlRequest<TraceDetail>(info, `/api/traces/${sample.traceId}`);
    const byClass = storeAtCap(trace, 'classes');
    const bySpans = storeAtCap(trace, 'spans');
    results.storeAtCap = { spansPerRequest: trace.spans.length, traceCountCaps: byClass, spanCap: bySpans, caps: 'default: 200 plain (at most 100 a second) + those in flight + 100 failed + 100 slow traces, 256 spans/trace, 20000 spans' };
    console.log(`store at its trace caps: ${byClass.traces} traces, ${byClass.spans} spans, ${byClass.heapMb} MB heap (${byClass.bytesPerSpan} B/span)`);
    console.log(`store at its span cap: ${bySpans.traces} traces, ${bySpans.spans} spans, ${bySpans.heapMb} MB heap (${bySpans.bytesPerSpan} B/span)`);
  } finally {
    await Promise.all([off.stop(), on.stop()]);
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  results.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
  console.log(`wrote ${outFile}`);
}

await main();
