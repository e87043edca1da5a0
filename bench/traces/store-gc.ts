/**
 * What the trace store costs the young-generation GC (issue 13's stalls, issue 16's overhead): spans of
 * gateway-like requests (a root and 6 children, each request also leaving request-sized garbage) flow
 * through micro-dev's RecordingTracer into a TraceStore at a plain-trace cap, or into a sink that keeps
 * nothing; the anchor makes only the request garbage, with none of micro-dev's code. A child Node runs each
 * case with --trace-gc-nvp and the launcher's own flags (bin/micro-dev.js: 16 MiB semi-spaces since
 * 2026-12-05, 4 MiB before); this parent sums the scavenges: bytes promoted to the old generation and
 * pause time, per request.
 *
 * Two sizes of request garbage: `up` (~96 KB per request, what micro-dev's main thread allocates per gateway
 * request under load, so the young generation is scavenged every ~125 requests, as there) and `light`
 * (~1.6 KB: scavenges are rare and a kept trace is evicted before one comes, so the store costs nothing).
 * A store that keeps the last N traces keeps the last ~N requests' spans alive: with N well above the
 * requests between two scavenges, every kept trace is copied and promoted.
 *
 * A store that keeps young spans reachable from dead old objects (a rehashed Map table, a regrown queue
 * array, an evicted trace) makes the scavenger promote them, and they hold the next ones (nepotism).
 *
 *   node_modules/.bin/node bench/traces/store-gc.ts [requests, default 200000] -> bench/results/traces-store-gc.json
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SpanKind } from '@opentelemetry/api';
import { RecordingTracer, type SpanSink } from '../../runner/traces/span-recorder.ts';
import { TraceStore } from '../../runner/traces/trace-store.ts';
import { launcherNodeFlags } from '../../test/support/cli-process.ts';

const self = fileURLToPath(import.meta.url);
const repoRoot = join(self, '../../..');

type Sink = 'bare' | 'none' | 'keep' | 'every';
type Garbage = 'up' | 'light';
const GARBAGE_ELEMENTS: Record<Garbage, number> = { up: 12_000, light: 200 };

/**
 * The child: `store-gc.ts --child bare|none|keep|every RECENT REQUESTS up|light`. `keep`: the store as `up`
 * has it (a loop this tight is a rate far above `recentPerSecond`, so nearly every trace is let go young);
 * `every`: the store keeping every plain trace at any rate, as it did before 2026-12-05.
 */
function child(mode: Sink, recent: number, requests: number, size: Garbage): void {
  const elements = GARBAGE_ELEMENTS[size];
  const store = new TraceStore(mode === 'every' ? { recent, arrivals: 0, recentPerSecond: Infinity } : { recent });
  const sink: SpanSink = mode === 'keep' || mode === 'every' ? store : { onEnd() {} };
  const tracer = new RecordingTracer('micro-api', sink);
  let garbage: unknown[] = [];
  for (let i = 0; i < requests; i++) {
    if (mode === 'bare') {
      garbage = [new Array(elements).fill(i), { a: i, b: String(i) }];
      continue;
    }
    const root = tracer.startChild('GET /greeter/say/hello', SpanKind.SERVER, undefined).setAttribute('http.request.method', 'GET').setAttribute('i', i);
    for (let k = 0; k < 6; k++) tracer.startChild('greeter-srv-1/inbound', SpanKind.INTERNAL, root.spanContext()).setAttribute('k', k).end();
    root.end();
    garbage = [new Array(elements).fill(i), { a: i, b: String(i) }];
  }
  if (garbage.length !== 2) throw new Error('unreachable');
}

interface Case {
  garbage: Garbage;
  sink: Sink;
  recent: number;
  scavenges: number;
  promotedBytesPerRequest: number;
  scavengePauseUsPerRequest: number;
  scavengePauseAvgMs: number;
  scavengePauseMaxMs: number;
}

function run(garbage: Garbage, sink: Sink, recent: number, requests: number): Case {
  const r = spawnSync(process.execPath, ['--trace-gc-nvp', ...launcherNodeFlags, self, '--child', sink, String(recent), String(requests), garbage], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  const pauses: number[] = [];
  let promoted = 0;
  for (const line of r.stdout.split('\n')) {
    if (!line.includes('gc=s ')) continue;
    const field = (k: string) => Number(new RegExp(`(?:^|\\s)${k}=([0-9.]+)`).exec(line)?.[1] ?? 0);
    pauses.push(field('pause'));
    promoted += field('promoted');
  }
  const total = pauses.reduce((a, b) => a + b, 0);
  return {
    garbage,
    sink,
    recent,
    scavenges: pauses.length,
    promotedBytesPerRequest: Math.round(promoted / requests),
    scavengePauseUsPerRequest: Math.round((total * 1000 * 100) / requests) / 100,
    scavengePauseAvgMs: Math.round((total / Math.max(1, pauses.length)) * 100) / 100,
    scavengePauseMaxMs: Math.max(0, ...pauses),
  };
}

function main(): void {
  const requests = Number(process.argv[2] ?? 200_000);
  const cases: Case[] = [];
  // alternating rounds: the anchor (request garbage only), spans into a sink that keeps nothing, the store
  // at its default cap and at a small one; with `up`-sized request garbage, then `light`
  const label = { bare: 'no spans (anchor)', none: 'spans, kept nowhere', every: 'every trace kept, 200' };
  const kinds = [['bare', 0], ['none', 200], ['every', 200], ['keep', 200], ['keep', 10]] as const;
  for (const garbage of ['up', 'light'] as const) {
    for (let round = 0; round < 3; round++) {
      for (const [sink, recent] of kinds) {
        const c = run(garbage, sink, recent, requests);
        cases.push(c);
        console.log(`${garbage.padEnd(5)} round ${round + 1} ${(sink === 'keep' ? `store, recent ${recent}` : label[sink]).padEnd(22)}  promoted ${String(c.promotedBytesPerRequest).padStart(4)} B/request  scavenge pauses ${c.scavengePauseUsPerRequest} µs/request (avg ${c.scavengePauseAvgMs} ms, max ${c.scavengePauseMaxMs} ms, ${c.scavenges} scavenges)`);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const medians = Object.fromEntries(
    (['up', 'light'] as const).map((garbage) => [
      garbage,
      Object.fromEntries(
        kinds.map(([sink, recent]) => {
          const mine = cases.filter((c) => c.garbage === garbage && c.sink === sink && c.recent === recent);
          return [`${sink}:${recent}`, { promotedBytesPerRequest: median(mine.map((c) => c.promotedBytesPerRequest)), scavengePauseUsPerRequest: median(mine.map((c) => c.scavengePauseUsPerRequest)) }];
        }),
      ),
    ]),
  );
  const out = join(repoRoot, 'bench/results/traces-store-gc.json');
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, nodeFlags: launcherNodeFlags, requests, spansPerRequest: 7, garbageBytesPerRequest: { up: GARBAGE_ELEMENTS.up * 8, light: GARBAGE_ELEMENTS.light * 8 }, medians, cases }, null, 2)}\n`);
  console.log(`medians: ${JSON.stringify(medians)}\nwrote ${out}`);
}

if (process.argv[2] === '--child') child(process.argv[3] as Sink, Number(process.argv[4]), Number(process.argv[5]), process.argv[6] as Garbage);
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
