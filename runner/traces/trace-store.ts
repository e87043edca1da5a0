/**
 * TraceStore: the bounded in-memory store of finished spans, grouped by trace. Every span micro-dev's
 * tracers record lands here when it ends (SpanSink), and it answers list/get queries for the control API,
 * the CLI, the dashboard and scenario reports.
 *
 *   span begins ──onStart──> trace (by id, first-seen order; made in class open) counts it open
 *   span ends ──onEnd──> compact record (EndedSpan) ──> its trace
 *                                                └─> class: failed (any span errored) > slow (>= slowMs) >
 *                                                    plain (kept) > open (spans still open) / new (records)
 *   the last open span of a trace ended, neither failed nor slow: kept as plain when no plain trace kept
 *   started within 1000 / `recentPerSecond` ms of it, else let go (at once: its spans die young)
 *   a trace of records (`add`, nothing counts its open spans): the same once `arrivals` newer ones passed it
 *   caps, oldest first: `inFlight` open traces (decided as if they had ended), `recent` plain traces,
 *   `failed` failed ones, `slow` slow ones, `spansPerTrace`
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
  /**
   * At most this many plain traces a second join the `recent` ones (default 100): under load the others
   * are let go young (as they end), so what is kept spans seconds of traffic instead of the last
   * few milliseconds, and the old generation does not fill with them.
   */
  recentPerSecond?: number;
  /**
   * Traces whose spans came as records (`add`), or that a span reached after its trace was let go: the
   * newest ones, held whatever their class while their spans arrive (default 64). A trace of recorded
   * spans is held while any of them is open instead, and decided when the last one ends.
   */
  arrivals?: number;
  /** Traces with recorded spans still open, held at most (default 1024); past it the oldest is decided as if it had ended. */
  inFlight?: number;
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

/** Buckets of plain traces kept remembered (40 s at the default 100 a second). */
const KEPT_BUCKETS = 4096;
const bucketSlot = (k: number): number => ((k % KEPT_BUCKETS) + KEPT_BUCKETS) % KEPT_BUCKETS;

type TraceClass = 'open' | 'new' | 'plain' | 'slow' | 'failed';
const CLASSES: readonly TraceClass[] = ['open', 'new', 'plain', 'slow', 'failed'];

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
  /** Its place in TraceStore's slot table while it is kept. */
  slot: number;
  /** Recorded spans of it that began (onStart) and have not ended. */
  open: number;
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

/**
 * Traces of one class, oldest first, as numbers: each entry is a slot and the seq of the trace that held
 * it then (a slot freed and reused, or a trace that left the class, no longer matches and is skipped).
 */
interface ClassQueue {
  slots: number[];
  seqs: number[];
  head: number;
}

const emptyQueue = (): ClassQueue => ({ slots: [], seqs: [], head: 0 });

/**
 * Why slots and numbers rather than a Map of traces and queues of them: under load the store's tables are
 * old (V8's old generation) and its traces young, and the scavenger keeps alive every young object an old
 * one points to, dead or not. A Map rehashing as traces come and go, a queue array regrown or copied,
 * left dead old tables pointing at the traces they held: each trace and its spans lived through the next
 * scavenge and were promoted, and held the next ones (nepotism). The id index maps to slot numbers, the
 * queues hold numbers, and the slot table (it only grows, to the most traces ever kept at once) is the
 * one old object pointing at traces; an evicted trace's slot is cleared and it lets go of its spans.
 * bench/traces/store-gc.ts: promoted 681 -> 43 B per request (spans kept nowhere: 28-29; the same
 * requests with no spans at all, none of our code: 24), scavenge pauses 4.75 -> 1.84 ms on average. In `up` under wrk -c32 (main thread, --trace-gc-nvp, recent: 10):
 * 880 KB promoted and 5.4 ms per scavenge before, 45 KB and 1.9 ms after (tracing off: 10 KB, 1.5 ms).
 * What remained was the cap itself: under load the young generation is scavenged every ~100 requests, so
 * the last 200 traces were always promoted (store-gc.ts with `up`-sized request garbage: 1,236-1,829 B per
 * request kept at any rate, 53 with `recentPerSecond`; runner/traces/README.md). Hence: every trace is held
 * while it arrives (while a span of it is open, or for records the last `arrivals`, so a late span still
 * finds its trace and a failure or a slow end still classes it), and only `recentPerSecond` of the plain
 * ones a second stay on: under load the rest die young, and what is kept spans seconds of traffic. At a
 * developer's rates (up to 100 requests a second) every plain trace is kept, as before.
 */
export class TraceStore implements SpanSink {
  /** Trace id -> its slot. */
  readonly #index = new Map<string, number>();
  #slots: (StoredTrace | undefined)[] = [];
  #free: number[] = [];
  readonly #caps: Required<TraceStoreOptions>;
  readonly #count: Record<TraceClass, number> = { open: 0, new: 0, plain: 0, slow: 0, failed: 0 };
  readonly #queues: Record<TraceClass, ClassQueue> = { open: emptyQueue(), new: emptyQueue(), plain: emptyQueue(), slow: emptyQueue(), failed: emptyQueue() };
  /**
   * The plain traces kept lately, by their start: bucket `b` (starts in [b, b + 1) x 1000 / recentPerSecond
   * ms) at `b mod KEPT_BUCKETS` holds b and the start of the one kept in it (NaN: none). Traces are decided
   * as they end, not in the order they began, so "the last one kept" is not a start to measure from.
   */
  readonly #keptBucket = new Float64Array(KEPT_BUCKETS).fill(Number.NaN);
  readonly #keptStart = new Float64Array(KEPT_BUCKETS);
  #seq = 0;
  #spans = 0;
  /**
   * The trace found or made last: a request's spans come in runs on this thread (the gateway's SERVER span,
   * its attempt, the link it crosses; later the proxy link, the proxy's SERVER span, its attempt, the srv
   * link), so most lookups are for the trace of the span before, and this spares them the id index (a Map
   * lookup by a 32-character id, ~1 µs a gateway request of the main thread under load, perf).
   */
  #last: StoredTrace | undefined = undefined;

  constructor(options: TraceStoreOptions = {}) {
    this.#caps = {
      recent: options.recent ?? 200,
      recentPerSecond: options.recentPerSecond ?? 100,
      arrivals: options.arrivals ?? 64,
      inFlight: options.inFlight ?? 1024,
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

  /** Traces (those still in flight included) and spans held now. */
  size(): { traces: number; spans: number } {
    return { traces: this.#index.size, spans: this.#spans };
  }

  /**
   * A recorded span began: its trace (found, or made as a new one) counts it as open until it ends. The
   * trace is the span's `sinkState`, so its end needs no lookup.
   */
  onStart(span: RecordedSpan): StoredTrace {
    const t = this.#trace(span.traceId, span.startMs, span.startMs, 'open');
    t.open++;
    return t;
  }

  /**
   * A recorded span ended: kept as a compact record until its trace is read. When it was the last open
   * span of a new trace, the trace is decided at once (kept as plain, or let go) instead of when `arrivals`
   * newer traces have passed it: under load a request's spans then die young with it.
   */
  onEnd(span: RecordedSpan): void {
    const began = span.sinkState as StoredTrace | undefined;
    // the trace it began in, unless that was let go meanwhile (then found or made by id, and not counted)
    const t = began !== undefined && this.#slots[began.slot] === began ? began : this.#trace(span.traceId, span.startMs, span.startMs + span.durationMs, 'new');
    if (t === began) t.open--;
    this.#add(t, new EndedSpan(span), span.startMs, span.durationMs, span.error !== undefined);
    // an open-class trace reaches 0 only by the end of a span counted in it, so that end settles it
    if (t === began && t.open === 0 && (t.cls === 'open' || t.cls === 'new')) this.#settle(t);
    this.#evict();
  }

  /** Adds a finished span given as a plain record (its trace is decided by `arrivals`, as nothing counts its open spans). */
  add(record: SpanRecord): void {
    const t = this.#trace(record.traceId, record.startMs, record.startMs + record.durationMs, 'new');
    this.#add(t, record, record.startMs, record.durationMs, record.error !== undefined);
    this.#evict();
  }

  /** The trace kept under this id, or a new one of class `cls` (first seen now, from startMs to endMs). */
  #trace(traceId: string, startMs: number, endMs: number, cls: 'open' | 'new'): StoredTrace {
    const last = this.#last;
    // still kept (a trace let go has left its slot) and the same id
    if (last !== undefined && this.#slots[last.slot] === last && last.id === traceId) return last;
    const at = this.#index.get(traceId);
    const kept = at === undefined ? undefined : this.#slots[at];
    if (kept) {
      this.#last = kept;
      return kept;
    }
    const slot = this.#free.pop() ?? this.#slots.length;
    const t: StoredTrace = { id: traceId, seq: this.#seq++, spans: [], dropped: 0, startMs, endMs, cls, slot, open: 0 };
    this.#slots[slot] = t;
    this.#index.set(traceId, slot);
    this.#count[cls]++;
    const q = this.#queues[cls];
    q.slots.push(slot);
    q.seqs.push(t.seq);
    this.#last = t;
    return t;
  }

  #add(t: StoredTrace, span: SpanRecord | EndedSpan, startMs: number, durationMs: number, failed: boolean): void {
    if (t.spans.length >= this.#caps.spansPerTrace) {
      t.dropped++;
      return;
    }
    t.spans.push(span);
    this.#spans++;
    if (startMs < t.startMs) t.startMs = startMs;
    if (startMs + durationMs > t.endMs) t.endMs = startMs + durationMs;
    // classes only go up (open or new -> plain -> slow -> failed): a trace's duration only grows, an error stays
    const cls: TraceClass = failed || t.cls === 'failed' ? 'failed' : t.endMs - t.startMs >= this.#caps.slowMs ? 'slow' : t.cls;
    if (cls !== t.cls) this.#move(t, cls);
  }

  /** A new or open trace that is neither failed nor slow is decided: kept as plain (see #keepsPlain), or let go. */
  #settle(t: StoredTrace): void {
    if (this.#keepsPlain(t.startMs)) this.#move(t, 'plain');
    else this.#drop(t);
  }

  /**
   * Whether a plain trace that started at `startMs` is kept: none kept started within 1000 / `recentPerSecond`
   * ms of it (whatever order they are decided in: a long request is decided after shorter ones that began
   * later). So at most `recentPerSecond` a second are kept, each that far from the next.
   */
  #keepsPlain(startMs: number): boolean {
    const width = 1000 / this.#caps.recentPerSecond;
    if (!(width > 0)) return true;
    const b = Math.floor(startMs / width);
    // two starts closer than the width are in the same bucket or in neighbouring ones
    if (!Number.isNaN(this.#keptIn(b)) || startMs - this.#keptIn(b - 1) < width || this.#keptIn(b + 1) - startMs < width) return false;
    const at = bucketSlot(b);
    this.#keptBucket[at] = b;
    this.#keptStart[at] = startMs;
    return true;
  }

  /** The start of the plain trace kept in bucket k, NaN when none (or the ring has moved on). */
  #keptIn(k: number): number {
    const at = bucketSlot(k);
    return this.#keptBucket[at] === k ? this.#keptStart[at]! : Number.NaN;
  }

  /** Newest first. */
  list(query: TraceQuery = {}): TraceSummary[] {
    const out: TraceSummary[] = [];
    const limit = query.limit ?? 50;
    const traces = this.#kept().sort((a, b) => b.startMs - a.startMs);
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
    const at = this.#index.get(key);
    let t = at === undefined ? undefined : this.#slots[at];
    if (t?.spans.length === 0) t = undefined;
    if (!t && key.length >= 4) {
      const matches = this.#kept().filter((x) => x.id.startsWith(key));
      if (matches.length === 1) t = matches[0];
    }
    if (!t) return undefined;
    return { summary: this.#summary(t), spans: [...records(t)].sort((a, b) => a.startMs - b.startMs), droppedSpans: t.dropped };
  }

  clear(): void {
    this.#last = undefined;
    this.#index.clear();
    this.#slots = [];
    this.#free = [];
    for (const cls of CLASSES) {
      this.#count[cls] = 0;
      this.#queues[cls] = emptyQueue();
    }
    this.#keptBucket.fill(Number.NaN);
    this.#spans = 0;
  }

  /** The traces held that have a span to show (one whose spans have all just begun has none yet). */
  #kept(): StoredTrace[] {
    return this.#slots.filter((t): t is StoredTrace => t !== undefined && t.spans.length > 0);
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

  /** Puts a trace in another class; its entry in the old class's queue is passed over from then on. */
  #move(t: StoredTrace, cls: TraceClass): void {
    const from = t.cls;
    this.#count[from]--;
    this.#count[cls]++;
    t.cls = cls;
    this.#leaveQueue(from, t);
    enqueue(this.#queues[cls], t);
  }

  #evict(): void {
    const caps = this.#caps;
    while (this.#count.open > caps.inFlight) this.#settle(this.#oldest('open')!);
    while (this.#count.new > caps.arrivals) this.#settle(this.#oldest('new')!);
    while (this.#count.plain > caps.recent) this.#drop(this.#oldest('plain')!);
    while (this.#count.failed > caps.failed) this.#drop(this.#oldest('failed')!);
    while (this.#count.slow > caps.slow) this.#drop(this.#oldest('slow')!);
    while (this.#spans > caps.maxSpans && this.#index.size > 1) {
      // the oldest trace of any class: the smallest first-seen order among the queue heads (one per class)
      let oldest: StoredTrace | undefined;
      for (const cls of CLASSES) {
        const t = this.#oldest(cls);
        if (t && (!oldest || t.seq < oldest.seq)) oldest = t;
      }
      this.#drop(oldest!);
    }
  }

  /** The oldest live trace of a class (entries that no longer match are passed over for good). */
  #oldest(cls: TraceClass): StoredTrace | undefined {
    const q = this.#queues[cls];
    while (q.head < q.slots.length) {
      const t = this.#slots[q.slots[q.head]!];
      if (t && t.seq === q.seqs[q.head] && t.cls === cls) return t;
      q.head++;
    }
    trimConsumed(q);
    return undefined;
  }

  #drop(t: StoredTrace): void {
    if (this.#last === t) this.#last = undefined;
    this.#index.delete(t.id);
    this.#slots[t.slot] = undefined;
    this.#free.push(t.slot);
    this.#count[t.cls]--;
    this.#spans -= t.spans.length;
    t.spans = []; // whoever still points at the evicted trace holds none of its spans
    this.#leaveQueue(t.cls, t);
  }

  /**
   * A trace leaves its class's queue: passed at once when it is the head, else passed over when reached.
   * Traces that leave out of order (open ones end in any order; a new one fails) stay behind an older
   * entry still there, so now and then the queue is rebuilt of the traces its class still holds: it holds
   * about what its class holds, whatever one old trace does (an open one stays as long as its request).
   */
  #leaveQueue(cls: TraceClass, t: StoredTrace): void {
    const q = this.#queues[cls];
    if (q.head < q.slots.length && q.seqs[q.head] === t.seq) q.head++;
    trimConsumed(q);
    if (q.slots.length - q.head > 2 * this.#count[cls] + 64) {
      const slots: number[] = [];
      const seqs: number[] = [];
      for (let i = q.head; i < q.slots.length; i++) {
        const held = this.#slots[q.slots[i]!];
        if (held && held.seq === q.seqs[i] && held.cls === cls) {
          slots.push(q.slots[i]!);
          seqs.push(q.seqs[i]!);
        }
      }
      this.#queues[cls] = { slots, seqs, head: 0 };
    }
  }
}

/**
 * Drops a queue's consumed front now and then, so it holds about what its class holds (traces leave a
 * class by eviction or by moving to another: at a developer's rates every new trace moves on to plain).
 */
function trimConsumed(q: ClassQueue): void {
  if (q.head > 64 && q.head * 2 > q.slots.length) {
    q.slots = q.slots.slice(q.head);
    q.seqs = q.seqs.slice(q.head);
    q.head = 0;
  }
}

/** Puts a trace that just entered a class among its traces in first-seen order (it is usually the newest). */
function enqueue(q: ClassQueue, t: StoredTrace): void {
  let i = q.seqs.length;
  while (i > q.head && q.seqs[i - 1]! > t.seq) i--;
  q.slots.splice(i, 0, t.slot);
  q.seqs.splice(i, 0, t.seq);
}
