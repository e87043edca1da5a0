/**
 * What the trace store costs the young-generation GC (issue 13's stalls, issue 16's overhead): spans of
 * gateway-like requests (a root and 6 children, each request also leaving request-sized garbage) flow
 * through micro-dev's RecordingTracer into a TraceStore at a plain-trace cap, or into a sink that keeps
 * nothing; the anchor makes only the request garbage, with none of micro-dev's code. A child Node runs each case with --trace-gc-nvp; this parent sums the scavenges:
 * bytes promoted to the old generation and pause time, per request.
 *
 * A store that keeps young spans reachable from dead old objects (a rehashed Map table, a regrown queue
 * array, an evicted trace) makes the scavenger promote them, and they hold the next ones (nepotism).
 *
 *   node_modules/.bin/node bench/traces/store-gc.ts [requests, default 400000] -> bench/results/traces-store-gc.json
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SpanKind } from '@opentelemetry/api';
import { RecordingTracer, type SpanSink } from '../../runner/traces/span-recorder.ts';
import { TraceStore } from '../../runner/traces/trace-store.ts';

const self = fileURLToPath(import.meta.url);
const repoRoot = join(self, '../../..');

type Sink = 'bare' | 'none' | 'keep';

/** The child: `store-gc.ts --child bare|none|keep RECENT REQUESTS`. */
function child(mode: Sink, recent: number, requests: number): void {
  const store = new TraceStore({ recent });
  const sink: SpanSink = mode === 'keep' ? store : { onEnd() {} };
  const tracer = new RecordingTracer('micro-api', sink);
  let garbage: unknown[] = [];
  for (let i = 0; i < requests; i++) {
    if (mode === 'bare') {
      garbage = [new Array(200).fill(i), { a: i, b: String(i) }];
      continue;
    }
    const root = tracer.startChild('GET /greeter/say/hello', SpanKind.SERVER, undefined).setAttribute('http.request.method', 'GET').setAttribute('i', i);
    for (let k = 0; k < 6; k++) tracer.startChild('greeter-srv-1/inbound', SpanKind.INTERNAL, root.spanContext()).setAttribute('k', k).end();
    root.end();
    garbage = [new Array(200).fill(i), { a: i, b: String(i) }];
  }
  if (garbage.length !== 2) throw new Error('unreachable');
}

interface Case {
  sink: Sink;
  recent: number;
  scavenges: number;
  promotedBytesPerRequest: number;
  scavengePauseUsPerRequest: number;
  scavengePauseAvgMs: number;
  scavengePauseMaxMs: number;
}

function run(sink: Sink, recent: number, requests: number): Case {
  const r = spawnSync(process.execPath, ['--trace-gc-nvp', self, '--child', sink, String(recent), String(requests)], { encoding: 'utf8', maxBuffer: 64 << 20 });
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
  const requests = Number(process.argv[2] ?? 400_000);
  const cases: Case[] = [];
  // alternating rounds: the anchor (request garbage only), spans into a sink that keeps nothing, the store
  // at its default cap and at a small one
  const label = { bare: 'no spans (anchor)', none: 'spans, kept nowhere' };
  for (let round = 0; round < 3; round++) {
    for (const [sink, recent] of [['bare', 0], ['none', 200], ['keep', 200], ['keep', 10]] as const) {
      const c = run(sink, recent, requests);
      cases.push(c);
      console.log(`round ${round + 1} ${(sink === 'keep' ? `store, recent ${recent}` : label[sink]).padEnd(20)}  promoted ${String(c.promotedBytesPerRequest).padStart(4)} B/request  scavenge pauses ${c.scavengePauseUsPerRequest} µs/request (avg ${c.scavengePauseAvgMs} ms, max ${c.scavengePauseMaxMs} ms, ${c.scavenges} scavenges)`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const summary = Object.fromEntries(
    (['bare:0', 'none:200', 'keep:200', 'keep:10'] as const).map((key) => {
      const mine = cases.filter((c) => `${c.sink}:${c.recent}` === key);
      return [key, { promotedBytesPerRequest: median(mine.map((c) => c.promotedBytesPerRequest)), scavengePauseUsPerRequest: median(mine.map((c) => c.scavengePauseUsPerRequest)) }];
    }),
  );
  const out = join(repoRoot, 'bench/results/traces-store-gc.json');
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, requests, spansPerRequest: 7, medians: summary, cases }, null, 2)}\n`);
  console.log(`medians: ${JSON.stringify(summary)}\nwrote ${out}`);
}

if (process.argv[2] === '--child') child(process.argv[3] as Sink, Number(process.argv[4]), Number(process.argv[5]));
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
