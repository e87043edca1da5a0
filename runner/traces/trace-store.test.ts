import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { RecordingTracer, type RecordedSpan } from './span-recorder.ts';
import { TraceStore } from './trace-store.ts';
import type { SpanRecord } from './trace-types.ts';

let n = 0;
function span(traceId: string, over: Partial<SpanRecord> = {}): SpanRecord {
  n++;
  return {
    traceId,
    spanId: n.toString(16).padStart(16, '0'),
    name: 'GET /x',
    kind: 'server',
    service: 'micro-api',
    startMs: 1_000_000 + n,
    durationMs: 5,
    attributes: {},
    events: [],
    ...over,
  };
}
const id = (i: number) => i.toString(16).padStart(32, '0');
/** Every trace kept as plain at once, whatever the rate: the store's caps and classes alone. */
const everyTrace = { arrivals: 0, recentPerSecond: Infinity };

/** A full garbage collection (the flag lets a new context see `gc`). */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('TraceStore', () => {
  it('holds nothing of an evicted trace: no queue slot and no span keeps it (the GC would promote them)', async () => {
    const store = new TraceStore({ recent: 2, ...everyTrace });
    const evicted: WeakRef<SpanRecord>[] = [];
    const keptRecords: SpanRecord[] = [];
    for (let i = 0; i < 6; i++) {
      const record = span(id(100 + i));
      if (i < 4) evicted.push(new WeakRef(record));
      else keptRecords.push(record);
      store.add(record);
    }
    expect(store.size().traces).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 0)); // WeakRefs hold their target until the job ends
    collectGarbage();
    expect(evicted.map((w) => w.deref() === undefined)).toEqual([true, true, true, true]);
    expect(store.list().map((t) => t.traceId)).toEqual([id(105), id(104)]);
    expect(keptRecords).toHaveLength(2);
  });

  it('keeps the last `recent` plain traces, and failed and slow ones beside them', () => {
    const store = new TraceStore({ recent: 3, failed: 2, slow: 2, slowMs: 100, ...everyTrace });
    store.add(span(id(1), { error: 'boom' }));
    store.add(span(id(2), { durationMs: 500 }));
    for (let i = 10; i < 20; i++) store.add(span(id(i)));
    const ids = store.list({ limit: 100 }).map((t) => t.traceId);
    expect(ids).toEqual([id(19), id(18), id(17), id(2), id(1)]);
    expect(store.list({ failed: true }).map((t) => t.traceId)).toEqual([id(1)]);
    expect(store.list({ slow: true }).map((t) => t.traceId)).toEqual([id(2)]);
    for (let i = 30; i < 33; i++) store.add(span(id(i), { error: 'x' }));
    expect(store.list({ failed: true }).map((t) => t.traceId)).toEqual([id(32), id(31)]);
  });

  it('a trace that later gets a failed span moves to the failed class', () => {
    const store = new TraceStore({ recent: 1, ...everyTrace });
    store.add(span(id(1)));
    store.add(span(id(1), { error: 'late' }));
    store.add(span(id(2)));
    store.add(span(id(3)));
    expect(store.list().map((t) => t.traceId)).toEqual([id(3), id(1)]);
  });

  it('caps spans per trace (counting the dropped) and spans in all', () => {
    const store = new TraceStore({ spansPerTrace: 2, maxSpans: 5, ...everyTrace });
    for (let i = 0; i < 4; i++) store.add(span(id(1)));
    expect(store.get(id(1))?.spans).toHaveLength(2);
    expect(store.get(id(1))?.droppedSpans).toBe(2);
    for (let t = 2; t < 6; t++) store.add(span(id(t)));
    expect(store.size().spans).toBeLessThanOrEqual(5);
    expect(store.get(id(1))).toBeUndefined();
  });

  it('evicts within a class by first sight, and across classes by first sight at the span cap', () => {
    const store = new TraceStore({ slow: 2, slowMs: 100, maxSpans: 6, ...everyTrace });
    store.add(span(id(1)));
    store.add(span(id(2), { durationMs: 500 }));
    store.add(span(id(3), { durationMs: 500 }));
    // trace 1 (seen first) turns slow last: it is still the oldest slow trace, the one evicted
    store.add(span(id(1), { durationMs: 500 }));
    expect(store.list({ slow: true }).map((t) => t.traceId)).toEqual([id(3), id(2)]);
    store.add(span(id(4), { error: 'x' }));
    for (let i = 5; i < 9; i++) store.add(span(id(i)));
    // 7 spans > 6: the oldest trace of any class goes (2, slow), not the oldest plain one (5)
    expect(store.size()).toEqual({ traces: 6, spans: 6 });
    expect(store.get(id(2))).toBeUndefined();
    expect(store.get(id(5))).toBeDefined();
    store.clear();
    expect(store.size()).toEqual({ traces: 0, spans: 0 });
    store.add(span(id(7)));
    expect(store.list().map((t) => t.traceId)).toEqual([id(7)]);
  });

  it('keeps every plain trace at a low rate and, under load, at most `recentPerSecond` a second', () => {
    const store = new TraceStore({ recent: 200, recentPerSecond: 100, arrivals: 8 });
    // 50 traces 20 ms apart (50 a second): all kept
    for (let i = 0; i < 50; i++) store.add(span(id(1000 + i), { startMs: 2_000_000 + i * 20 }));
    expect(store.list({ limit: 1000 })).toHaveLength(50);
    // then 1,000 traces in 100 ms: one per 10 ms joins the kept ones, the last 8 are still arriving
    const loadStart = 2_000_000 + 50 * 20;
    for (let i = 0; i < 1000; i++) store.add(span(id(5000 + i), { startMs: loadStart + i * 0.1 }));
    const underLoad = store.list({ limit: 2000 }).filter((t) => t.startMs >= loadStart);
    const kept = underLoad.filter((t) => t.startMs < loadStart + 99.2).map((t) => t.startMs).sort((a, b) => a - b);
    expect(kept.length).toBeGreaterThanOrEqual(9);
    expect(kept.length).toBeLessThanOrEqual(10);
    for (let i = 1; i < kept.length; i++) expect(kept[i]! - kept[i - 1]!).toBeGreaterThanOrEqual(10);
    expect(underLoad.map((t) => t.traceId).slice(0, 8)).toEqual([...Array(8).keys()].map((k) => id(5999 - k)));
    expect(store.size().traces).toBe(50 + kept.length + 8);
    // the cap still holds: the oldest kept go first
    for (let i = 0; i < 300; i++) store.add(span(id(9000 + i), { startMs: loadStart + 1000 + i * 20 }));
    expect(store.size().traces).toBe(200 + 8);
    expect(store.get(id(1000))).toBeUndefined();
  });

  it('a trace that fails or turns slow while arriving is kept whatever the rate; the others let go hold nothing', async () => {
    const store = new TraceStore({ recentPerSecond: 1, arrivals: 2, slowMs: 100 });
    const letGo: WeakRef<SpanRecord>[] = [];
    for (let i = 0; i < 10; i++) {
      const record = span(id(100 + i), { startMs: 3_000_000 + i });
      if (i >= 1 && i <= 5) letGo.push(new WeakRef(record));
      store.add(record);
      if (i === 6) store.add(span(id(106), { startMs: 3_000_000 + i, error: 'boom' }));
      if (i === 7) store.add(span(id(107), { startMs: 3_000_000 + i, durationMs: 500 }));
    }
    // 100 kept (the first, nothing kept before it), 101-105 let go, 106 failed, 107 slow, 108-109 arriving
    expect(store.list({ limit: 100 }).map((t) => t.traceId)).toEqual([id(109), id(108), id(107), id(106), id(100)]);
    expect(store.list({ failed: true }).map((t) => t.traceId)).toEqual([id(106)]);
    expect(store.list({ slow: true }).map((t) => t.traceId)).toEqual([id(107)]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(letGo.map((w) => w.deref() === undefined)).toEqual([true, true, true, true, true]);
  });

  it('holds no more bookkeeping than traces: 300,000 traces at a developer\'s rate through a small store', async () => {
    const store = new TraceStore({ recent: 10, arrivals: 8 });
    const fill = (from: number) => {
      for (let i = from; i < from + 150_000; i++) store.add(span(id(i), { startMs: 4_000_000 + i * 20 }));
    };
    fill(0);
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    fill(150_000);
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    // every trace went new -> plain; queues that kept each one's entry would hold 150,000 more of them (>= 1.2 MB)
    expect(store.size().traces).toBe(18);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(600_000);
  });

  it('finds a trace by a unique prefix, filters by service, instance and time', () => {
    const store = new TraceStore();
    store.add(span('abcd' + '0'.repeat(28), { attributes: { 'micro.instance': 'greeter-srv-1' } }));
    store.add(span('abce' + '0'.repeat(28)));
    expect(store.get('abc')).toBeUndefined();
    expect(store.get('abcd')?.summary.traceId).toBe('abcd' + '0'.repeat(28));
    expect(store.list({ service: 'greeter-srv-1' })).toHaveLength(1);
    expect(store.list({ service: 'micro-api' })).toHaveLength(2);
    const first = store.get('abcd')!.summary.startMs;
    expect(store.list({ sinceMs: first + 0.5 })).toHaveLength(1);
  });

  it('explains a failed trace by the attempt, the link toxic and the retry', () => {
    const store = new TraceStore();
    const t = id(7);
    const call = span(t, { name: 'POST /', kind: 'server', service: 'micro-proxy' });
    const rpc = { 'rpc.method': 'go.micro.srv.greeter/Say.Hello' };
    const a0 = span(t, { parentId: call.spanId, kind: 'client', attributes: { ...rpc, 'micro.attempt': 0 }, error: 'call timeout: context deadline exceeded' });
    const l0 = span(t, {
      parentId: a0.spanId,
      name: 'greeter-srv-2/inbound',
      service: 'micro-faults',
      attributes: { 'micro.link': 'greeter-srv-2/inbound' },
      events: [{ name: 'toxic down', atMs: 0, attributes: { 'micro.toxic.type': 'down' } }],
      error: 'connection closed before an answer',
    });
    const a1 = span(t, { parentId: call.spanId, kind: 'client', attributes: { ...rpc, 'micro.attempt': 1 } });
    const l1 = span(t, { parentId: a1.spanId, name: 'greeter-srv-1/inbound', service: 'micro-faults', attributes: { 'micro.link': 'greeter-srv-1/inbound' } });
    for (const s of [l0, a0, l1, a1, call]) store.add(s);
    expect(store.get(t)?.summary.explanation).toBe('greeter-srv-2/inbound: down -> call timeout: context deadline exceeded -> retried on greeter-srv-1');
  });
});

describe('TraceStore with recorded spans', () => {
  const recorded = (store: TraceStore) => new RecordingTracer('micro-api', store);

  it('decides a trace when its last open span ends: under load the ones let go hold nothing at once, before `arrivals` newer ones come', async () => {
    const store = new TraceStore({ recentPerSecond: 1 / 3600 });
    const tracer = recorded(store);
    const letGo: WeakRef<object>[] = [];
    const ids: string[] = [];
    // in a function of its own, so no variable of this test holds the last spans
    const request = (i: number) => {
      const root = tracer.startChild('GET /x', SpanKind.SERVER, undefined, { 'micro.case': i });
      const child = tracer.startChild('greeter-srv-1/inbound', SpanKind.INTERNAL, root.spanContext(), { 'micro.case': i });
      ids.push(root.spanContext().traceId);
      // while a span is open its trace is held, and nothing of it is shown yet
      expect(store.size().traces).toBe(Math.min(i, 1) + 1);
      expect(store.get(ids[i]!)).toBeUndefined();
      child.end();
      expect(store.get(ids[i]!)?.spans).toHaveLength(1);
      if (i > 0) letGo.push(new WeakRef((root as RecordedSpan).attributes), new WeakRef((child as RecordedSpan).attributes));
      root.end();
    };
    for (let i = 0; i < 6; i++) request(i);
    // the first is kept (none kept before it), the five after it were let go as they ended
    expect(store.list({ limit: 100 }).map((t) => t.traceId)).toEqual([ids[0]]);
    expect(store.get(ids[0]!)?.spans.map((s) => s.name)).toEqual(['GET /x', 'greeter-srv-1/inbound']);
    expect(store.size()).toEqual({ traces: 1, spans: 2 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(letGo.map((w) => w.deref() === undefined)).toEqual(Array(10).fill(true));
  });

  it('holds a trace while a span that began in it is open, even after its root ended; a failure still classes it', () => {
    const store = new TraceStore({ recentPerSecond: 1 / 3600 });
    const tracer = recorded(store);
    const first = tracer.startChild('GET /first', SpanKind.SERVER, undefined);
    first.end();
    const root = tracer.startChild('GET /x', SpanKind.SERVER, undefined);
    const late = tracer.startChild('go.micro.srv.greeter/Say.Hello', SpanKind.CLIENT, root.spanContext());
    root.end();
    const traceId = root.spanContext().traceId;
    expect(store.get(traceId)?.spans).toHaveLength(1);
    late.setStatus({ code: SpanStatusCode.ERROR, message: 'call timeout' });
    late.end();
    expect(store.get(traceId)?.spans).toHaveLength(2);
    expect(store.list({ failed: true }).map((t) => t.traceId)).toEqual([traceId]);
  });

  it("finds the trace of the span before without the index, but never one let go, nor another trace's", () => {
    const store = new TraceStore(everyTrace);
    // alternating ids: each lookup is for the trace before the last one
    for (const i of [1, 2, 1, 2, 1]) store.add(span(id(i)));
    expect(store.get(id(1))?.spans).toHaveLength(3);
    expect(store.get(id(2))?.spans).toHaveLength(2);
    // a trace let go as its root ends (one plain trace an hour is kept: the first); a late span of it starts
    // a new trace of that id, which its failure keeps
    const sparse = new TraceStore({ recentPerSecond: 1 / 3600 });
    const tracer = recorded(sparse);
    tracer.startChild('GET /first', SpanKind.SERVER, undefined).end();
    const root = tracer.startChild('GET /x', SpanKind.SERVER, undefined);
    root.end();
    const traceId = root.spanContext().traceId;
    expect(sparse.get(traceId)).toBeUndefined();
    const late = tracer.startChild('late', SpanKind.INTERNAL, root.spanContext());
    late.setStatus({ code: SpanStatusCode.ERROR, message: 'late and failed' });
    late.end();
    expect(sparse.get(traceId)?.spans.map((s) => s.name)).toEqual(['late']);
    expect(sparse.list({ failed: true }).map((t) => t.traceId)).toEqual([traceId]);
  });

  it('keeps a long request that ended after shorter ones that began later, and no two plain traces that began closer than 1000 / recentPerSecond ms', () => {
    const store = new TraceStore({ recentPerSecond: 100 });
    const tracer = recorded(store);
    const t0 = Date.now() - 10_000;
    const long = tracer.startChild('GET /long', SpanKind.SERVER, undefined, undefined, t0);
    const short = [50, 100, 150, 200, 250].map((at) => {
      const span = tracer.startChild(`GET /${at}`, SpanKind.SERVER, undefined, undefined, t0 + at);
      span.end(t0 + at + 2);
      return span.spanContext().traceId;
    });
    long.end(t0 + 260);
    expect(store.list({ limit: 10 }).map((t) => t.traceId).sort()).toEqual([...short, long.spanContext().traceId].sort());
    // 4 ms after a kept one, decided before it or after it: let go
    const later = tracer.startChild('GET /later', SpanKind.SERVER, undefined, undefined, t0 + 504);
    const first = tracer.startChild('GET /first', SpanKind.SERVER, undefined, undefined, t0 + 500);
    later.end(t0 + 506);
    first.end(t0 + 510);
    const after = tracer.startChild('GET /after', SpanKind.SERVER, undefined, undefined, t0 + 508);
    after.end(t0 + 512);
    const kept = store.list({ limit: 10 }).map((t) => t.name);
    expect(kept).toContain('GET /later');
    expect(kept).not.toContain('GET /first');
    expect(kept).not.toContain('GET /after');
  });

  it('holds no more bookkeeping than traces while one trace stays open and 300,000 others begin and end', async () => {
    const store = new TraceStore({ recent: 10 });
    const tracer = recorded(store);
    const stuck = tracer.startChild('GET /stuck', SpanKind.SERVER, undefined);
    const fill = () => {
      for (let i = 0; i < 150_000; i++) {
        const root = tracer.startChild('GET /x', SpanKind.SERVER, undefined);
        tracer.startChild('greeter-srv-1/inbound', SpanKind.INTERNAL, root.spanContext()).end();
        root.end();
      }
    };
    fill();
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    fill();
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    // the open trace is the oldest entry of its class: a queue that kept every later one behind it would
    // hold 150,000 more entries (>= 1.2 MB)
    expect(store.size().traces).toBe(11);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(600_000);
    stuck.end();
  });

  it('past `inFlight` open traces decides the oldest, and its spans ending later still land in a trace', () => {
    const store = new TraceStore({ inFlight: 2, recentPerSecond: Infinity });
    const tracer = recorded(store);
    const roots = [0, 1, 2].map((i) => tracer.startChild(`GET /${i}`, SpanKind.SERVER, undefined));
    expect(store.size().traces).toBe(3);
    for (const root of roots) root.end();
    expect(store.list({ limit: 10 }).map((t) => t.spans)).toEqual([1, 1, 1]);
    expect(store.size()).toEqual({ traces: 3, spans: 3 });
  });
});
