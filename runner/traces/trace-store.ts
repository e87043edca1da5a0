/**
 * TraceStore: the bounded in-memory store of finished spans, grouped by trace. It is an OpenTelemetry
 * SpanProcessor (every span that ends lands here) and answers list/get queries for the control API, the
 * CLI, the dashboard and scenario reports.
 *
 *   span ends ──onEnd──> record (plain JSON) ──> trace (by id, insertion order = first span seen)
 *                                                  └─> class: failed (any span errored) > slow (>= slowMs) > plain
 *   caps, oldest first: `recent` plain traces, `failed` failed ones, `slow` slow ones, `spansPerTrace`
 *   spans in one trace (the rest counted as dropped), `maxSpans` spans in all (any class evicted).
 *
 * Synchronous and in-memory; nothing to clean up. Costs per span: O(1) bookkeeping (the SDK span is
 * kept as it is and turned into a plain record only when its trace is read; an eviction scans from the
 * oldest trace and usually stops at the first).
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
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
  /** SDK spans are kept as they ended and turned into records only when someone reads the trace. */
  spans: (SpanRecord | ReadableSpan)[];
  dropped: number;
  startMs: number;
  endMs: number;
  cls: TraceClass;
}

const KINDS: Record<SpanKind, SpanKindName> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

const hrMs = (t: [number, number]): number => t[0] * 1e3 + t[1] / 1e6;

/** A finished OpenTelemetry span as a plain record. */
export function spanRecord(span: ReadableSpan): SpanRecord {
  const ctx = span.spanContext();
  const startMs = hrMs(span.startTime);
  const attributes: SpanRecord['attributes'] = {};
  for (const [k, v] of Object.entries(span.attributes)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attributes[k] = v;
    else if (Array.isArray(v)) attributes[k] = v.map(String);
  }
  const record: SpanRecord = {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    name: span.name,
    kind: KINDS[span.kind] ?? 'internal',
    service: String(span.resource.attributes[ATTR_SERVICE_NAME] ?? 'unknown'),
    startMs,
    durationMs: hrMs(span.duration),
    attributes,
    events: span.events.map((e) => {
      const attrs: Record<string, string | number | boolean> = {};
      for (const [k, v] of Object.entries(e.attributes ?? {})) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attrs[k] = v;
      }
      return { name: e.name, atMs: hrMs(e.time) - startMs, attributes: attrs };
    }),
  };
  if (span.parentSpanContext?.spanId) record.parentId = span.parentSpanContext.spanId;
  if (span.status.code === SpanStatusCode.ERROR) record.error = span.status.message || 'error';
  return record;
}

/** The trace's spans as records, converting (once) those still held as SDK spans. */
function records(t: StoredTrace): SpanRecord[] {
  for (let i = 0; i < t.spans.length; i++) {
    const s = t.spans[i]!;
    if ('spanContext' in s) t.spans[i] = spanRecord(s);
  }
  return t.spans as SpanRecord[];
}

export class TraceStore implements SpanProcessor {
  readonly #traces = new Map<string, StoredTrace>();
  readonly #caps: Required<TraceStoreOptions>;
  readonly #count: Record<TraceClass, number> = { plain: 0, slow: 0, failed: 0 };
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

  onStart(_span: Span, _parent: Context): void {}

  onEnd(span: ReadableSpan): void {
    const ctx = span.spanContext();
    this.#add(ctx.traceId, span, hrMs(span.startTime), hrMs(span.duration), span.status.code === SpanStatusCode.ERROR);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  /** Adds a finished span given as a plain record. */
  add(record: SpanRecord): void {
    this.#add(record.traceId, record, record.startMs, record.durationMs, record.error !== undefined);
  }

  #add(traceId: string, span: SpanRecord | ReadableSpan, startMs: number, durationMs: number, failed: boolean): void {
    let t = this.#traces.get(traceId);
    if (!t) {
      t = { id: traceId, spans: [], dropped: 0, startMs, endMs: startMs + durationMs, cls: 'plain' };
      this.#traces.set(t.id, t);
      this.#count.plain++;
    }
    if (t.spans.length >= this.#caps.spansPerTrace) {
      t.dropped++;
      return;
    }
    t.spans.push(span);
    this.#spans++;
    if (startMs < t.startMs) t.startMs = startMs;
    if (startMs + durationMs > t.endMs) t.endMs = startMs + durationMs;
    const cls: TraceClass = failed || t.cls === 'failed' ? 'failed' : t.endMs - t.startMs >= this.#caps.slowMs ? 'slow' : 'plain';
    if (cls !== t.cls) {
      this.#count[t.cls]--;
      this.#count[cls]++;
      t.cls = cls;
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
    this.#traces.clear();
    this.#count.plain = this.#count.slow = this.#count.failed = 0;
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
    while (this.#count.plain > caps.recent) this.#dropOldest('plain');
    while (this.#count.failed > caps.failed) this.#dropOldest('failed');
    while (this.#count.slow > caps.slow) this.#dropOldest('slow');
    while (this.#spans > caps.maxSpans && this.#traces.size > 1) this.#dropOldest(undefined);
  }

  #dropOldest(cls: TraceClass | undefined): void {
    for (const t of this.#traces.values()) {
      if (cls !== undefined && t.cls !== cls) continue;
      this.#traces.delete(t.id);
      this.#count[t.cls]--;
      this.#spans -= t.spans.length;
      return;
    }
  }
}
