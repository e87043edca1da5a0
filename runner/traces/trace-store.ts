/**
 * TraceStore: the bounded in-memory store of finished spans, grouped by trace. Every span micro-dev's
 * tracers record lands here when it ends (SpanSink), and it answers list/get queries for the control API,
 * the CLI, the dashboard and scenario reports.
 *
 *   span ends ──onEnd──> compact record (EndedSpan) ──> trace (by id, first-seen order)
 *                                                └─> class: failed (any span errored) > slow (>= slowMs) > plain
 *   caps, oldest first: `recent` plain traces, `failed` failed ones, `slow` slow ones, `spansPerTrace`
 *   spans in one trace (the rest counted as dropped), `maxSpans` spans in all (any class evicted).
 *
 * Synchronous and in-memory; nothing to clean up. Costs per span: O(1) bookkeeping on the hot path: a
 * small object that keeps the recorded span's attributes and events (turned into a plain record only when
 * its trace is read), and a queue per class, so an eviction takes the head of its queue instead of scanning.
 */
import { SpanKind } from '@opentelemetry/api';
import type { RecordedEvent, RecordedSpan, SpanSink } from './span-recorder.ts';
import { explainTrace } from './trace-explain.ts';
import type { SpanKindName, SpanRecord, TraceDetail, TraceQuery, TraceSummary } from './trace-types.ts';

export interface TraceStoreOptions {
  /** Plain (neither failed nor slow) traces kept (default 200). */
  recent?: number;
  /** Failed traces kept (default 100). */
  failed?: number;
  /** Slow traces kept (default 100). */
  slow?: number;
  /** A trace at least this long is slow (default 1000 ms). */
  slowMs?: number;
  /** Spans kept per trace (default 256). */
  spansPerTrace?: number;
  /** Spans kept in all (default 20000). */
  maxSpans?: number;
}

type TraceClass = 'plain' | 'slow' | 'failed';

interface StoredTrace {
  id: string;
  /** Order of first sight: eviction goes oldest first within a class. */
  seq: number;
  /** Spans as compact records (EndedSpan) until someone reads the trace, then as SpanRecords. */
  spans: (SpanRecord | EndedSpan)[];
  dropped: number;
  startMs: number;
  endMs: number;
  cls: TraceClass;
  /** Evicted (its entries left in the class queues are skipped). */
  gone: boolean;
}

const KINDS: Record<SpanKind, SpanKindName> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

function plainAttributes(from: RecordedEvent['attributes'] | undefined): Record<string, string | number | boolean> {
  const attrs: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(from ?? {})) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attrs[k] = v;
  }
  return attrs;
}

/**
 * What the store keeps of a span that ended, until its trace is read: its attributes object and events
 * array, and the few fields a record needs. Keeping this rather than the span lets the span (its span
 * contexts, trace id, status, tracer) die young instead of being promoted with every kept trace
 * (1213 -> 854 B per span held, span-cost's path at the plain-trace cap).
 */
class EndedSpan {
  readonly spanId: string;
  readonly parentId: string | undefined;
  readonly name: string;
  readonly kind: SpanKind;
  readonly service: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly error: string | undefined;
  readonly attributes: RecordedSpan['attributes'];
  readonly events: RecordedSpan['events'];

  constructor(span: RecordedSpan) {
    this.spanId = span.spanId;
    this.parentId = span.parentId;
    this.name = span.name;
    this.kind = span.kind;
    this.service = span.service;
    this.startMs = span.startMs;
    this.durationMs = span.durationMs;
    this.error = span.error;
    this.attributes = span.attributes;
    this.events = span.events;
  }
}

function toRecord(traceId: string, s: EndedSpan): SpanRecord {
  const attributes: SpanRecord['attributes'] = {};
  for (const [k, v] of Object.entries(s.attributes)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attributes[k] = v;
    else if (Array.isArray(v)) attributes[k] = v.map(String);
  }
  const record: SpanRecord = {
    traceId,
    spanId: s.spanId,
    name: s.name,
    kind: KINDS[s.kind] ?? 'internal',
    service: s.service,
    startMs: s.startMs,
    durationMs: s.durationMs,
    attributes,
    events: s.events.map((e) => ({ name: e.name, atMs: e.timeMs - s.startMs, attributes: plainAttributes(e.attributes) })),
  };
  if (s.parentId !== undefined) record.parentId = s.parentId;
  if (s.error !== undefined) record.error = s.error;
  return record;
}

/** A recorded span that ended, as a plain record. */
export function spanRecord(span: RecordedSpan): SpanRecord {
  return toRecord(span.traceId, new EndedSpan(span));
}

/** The trace's spans as records, converting (once) those still held as compact ones. */
function records(t: StoredTrace): SpanRecord[] {
  for (let i = 0; i < t.spans.length; i++) {
    const s = t.spans[i]!;
    if (s instanceof EndedSpan) t.spans[i] = toRecord(t.id, s);
  }
  return t.spans as SpanRecord[];
}

/** Traces of one class, oldest first; entries of traces that left the class or were evicted are skipped. */
interface ClassQueue {
  /** Entries before `head` are consumed and hold nothing (see #drop). */
  traces: (StoredTrace | undefined)[];
  head: number;
}

export class TraceStore implements SpanSink {
  readonly #traces = new Map<string, StoredTrace>();
  readonly #caps: Required<TraceStoreOptions>;
  readonly #count: Record<TraceClass, number> = { plain: 0, slow: 0, failed: 0 };
  readonly #queues: Record<TraceClass, ClassQueue> = { plain: { traces: [], head: 0 }, slow: { traces: [], head: 0 }, failed: { traces: [], head: 0 } };
  #seq = 0;
  #spans = 0;

  constructor(options: TraceStoreOptions = {}) {
    this.#caps = {
      recent: options.recent ?? 200,
      failed: options.failed ?? 100,
      slow: options.slow ?? 100,
      slowMs: options.slowMs ?? 1000,
      spansPerTrace: options.spansPerTrace ?? 256,
      maxSpans: options.maxSpans ?? 20_000,
    };
  }

  get slowMs(): number {
    return this.#caps.slowMs;
  }

  /** Traces and spans held now. */
  size(): { traces: number; spans: number } {
    return { traces: this.#traces.size, spans: this.#spans };
  }

  /** A recorded span ended: kept as a compact record until its trace is read. */
  onEnd(span: RecordedSpan): void {
    this.#add(span.traceId, new EndedSpan(span), span.startMs, span.durationMs, span.error !== undefined);
  }

  /** Adds a finished span given as a plain record. */
  add(record: SpanRecord): void {
    this.#add(record.traceId, record, record.startMs, record.durationMs, record.error !== undefined);
  }

  #add(traceId: string, span: SpanRecord | EndedSpan, startMs: number, durationMs: number, failed: boolean): void {
    let t = this.#traces.get(traceId);
    if (!t) {
      t = { id: traceId, seq: this.#seq++, spans: [], dropped: 0, startMs, endMs: startMs + durationMs, cls: 'plain', gone: false };
      this.#traces.set(t.id, t);
      this.#count.plain++;
      this.#queues.plain.traces.push(t);
    }
    if (t.spans.length >= this.#caps.spansPerTrace) {
      t.dropped++;
      return;
    }
    t.spans.push(span);
    this.#spans++;
    if (startMs < t.startMs) t.startMs = startMs;
    if (startMs + durationMs > t.endMs) t.endMs = startMs + durationMs;
    // classes only go up (plain -> slow -> failed): a trace's duration only grows, an error stays
    const cls: TraceClass = failed || t.cls === 'failed' ? 'failed' : t.endMs - t.startMs >= this.#caps.slowMs ? 'slow' : 'plain';
    if (cls !== t.cls) {
      this.#count[t.cls]--;
      this.#count[cls]++;
      t.cls = cls;
      enqueue(this.#queues[cls], t);
    }
    this.#evict();
  }

  /** Newest first. */
  list(query: TraceQuery = {}): TraceSummary[] {
    const out: TraceSummary[] = [];
    const limit = query.limit ?? 50;
    const traces = [...this.#traces.values()].sort((a, b) => b.startMs - a.startMs);
    for (const t of traces) {
      if (out.length >= limit) break;
      if (query.failed && t.cls !== 'failed') continue;
      if (query.slow && t.endMs - t.startMs < this.#caps.slowMs) continue;
      if (query.sinceMs !== undefined && t.startMs < query.sinceMs) continue;
      if (query.untilMs !== undefined && t.startMs >= query.untilMs) continue;
      const summary = this.#summary(t);
      if (query.service !== undefined && !summary.services.includes(query.service)) continue;
      out.push(summary);
    }
    return out;
  }

  /** A trace by its id or a unique prefix of it (at least 4 hex digits); undefined when none or ambiguous. */
  get(id: string): TraceDetail | undefined {
    const key = id.toLowerCase();
    let t = this.#traces.get(key);
    if (!t && key.length >= 4) {
      const matches = [...this.#traces.values()].filter((x) => x.id.startsWith(key));
      if (matches.length === 1) t = matches[0];
    }
    if (!t) return undefined;
    return { summary: this.#summary(t), spans: [...records(t)].sort((a, b) => a.startMs - b.startMs), droppedSpans: t.dropped };
  }

  clear(): void {
    for (const t of this.#traces.values()) t.gone = true;
    this.#traces.clear();
    this.#count.plain = this.#count.slow = this.#count.failed = 0;
    for (const q of Object.values(this.#queues)) {
      q.traces = [];
      q.head = 0;
    }
    this.#spans = 0;
  }

  #summary(t: StoredTrace): TraceSummary {
    const spans = records(t);
    const ids = new Set(spans.map((s) => s.spanId));
    const roots = spans.filter((s) => s.parentId === undefined || !ids.has(s.parentId)).sort((a, b) => a.startMs - b.startMs);
    const root = roots[0] ?? spans[0];
    const services = new Set<string>();
    for (const s of spans) {
      services.add(s.service);
      for (const key of ['micro.service', 'micro.instance']) {
        const v = s.attributes[key];
        if (typeof v === 'string' && v !== '') services.add(v);
      }
    }
    const durationMs = t.endMs - t.startMs;
    const summary: TraceSummary = {
      traceId: t.id,
      name: root?.name ?? '',
      startMs: t.startMs,
      durationMs,
      spans: spans.length,
      services: [...services].sort(),
      failed: t.cls === 'failed',
      slow: durationMs >= this.#caps.slowMs,
    };
    const explanation = explainTrace(spans);
    if (explanation) summary.explanation = explanation;
    return summary;
  }

  #evict(): void {
    const caps = this.#caps;
    while (this.#count.plain > caps.recent) this.#drop(this.#oldest('plain')!);
    while (this.#count.failed > caps.failed) this.#drop(this.#oldest('failed')!);
    while (this.#count.slow > caps.slow) this.#drop(this.#oldest('slow')!);
    while (this.#spans > caps.maxSpans && this.#traces.size > 1) {
      // the oldest trace of any class: the smallest first-seen order among the three queue heads
      let oldest: StoredTrace | undefined;
      for (const cls of ['plain', 'slow', 'failed'] as const) {
        const t = this.#oldest(cls);
        if (t && (!oldest || t.seq < oldest.seq)) oldest = t;
      }
      this.#drop(oldest!);
    }
  }

  /** The oldest live trace of a class (stale queue entries are passed over for good). */
  #oldest(cls: TraceClass): StoredTrace | undefined {
    const q = this.#queues[cls];
    while (q.head < q.traces.length) {
      const t = q.traces[q.head]!;
      if (!t.gone && t.cls === cls) return t;
      q.traces[q.head++] = undefined;
    }
    return undefined;
  }

  #drop(t: StoredTrace): void {
    t.gone = true;
    this.#traces.delete(t.id);
    this.#count[t.cls]--;
    this.#spans -= t.spans.length;
    // An evicted trace lets go of everything at once: its spans, and its queue slot. Under load the store's
    // queues and older traces sit in V8's old generation, and the scavenger treats every young object an
    // old one points to as live, dead or not: a consumed slot (or a trace evicted but still pointed to)
    // kept each trace's young spans alive through the next scavenge, which then promoted them, and they
    // in turn held the next ones. Measured at recent: 10 under wrk (main thread, --trace-gc-nvp): 880 KB
    // promoted per scavenge and 5.4 ms per scavenge before, 45 KB and 1.9 ms after (tracing off: 10 KB).
    t.spans = [];
    const q = this.#queues[t.cls];
    if (q.traces[q.head] === t) q.traces[q.head++] = undefined;
    // drop the consumed front now and then, so a queue holds about what its class holds (in place: a
    // copy would leave the old array, promoted, pointing at live traces)
    if (q.head > 64 && q.head * 2 > q.traces.length) {
      q.traces.copyWithin(0, q.head);
      q.traces.length -= q.head;
      q.head = 0;
    }
  }
}

/** Puts a trace that just entered a class among its traces in first-seen order (it is usually the newest). */
function enqueue(q: ClassQueue, t: StoredTrace): void {
  const list = q.traces;
  let i = list.length;
  while (i > q.head && list[i - 1]!.seq > t.seq) i--;
  list.splice(i, 0, t);
}
