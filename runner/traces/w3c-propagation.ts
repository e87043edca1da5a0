/**
 * W3C trace context in and out of header records, with OpenTelemetry's own propagator (no hand-written
 * format): extract a parent Context from `traceparent`/`tracestate`, inject a span's as headers.
 */
import { ROOT_CONTEXT, TraceFlags, createContextKey, trace, type Context, type Span, type SpanContext, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { TraceState, W3CTraceContextPropagator, parseTraceParent } from '@opentelemetry/core';
import { RecordedSpan } from './span-recorder.ts';

export const propagator = new W3CTraceContextPropagator();

type Carrier = Readonly<Record<string, string | string[] | undefined>>;

/** Reads `traceparent` whatever its case (Node lower-cases, go-micro metadata is `Traceparent`). */
const getter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key] ?? carrier[key[0]!.toUpperCase() + key.slice(1)],
};

const setter: TextMapSetter<Record<string, string | string[] | undefined>> = {
  set: (carrier, key, value) => void (carrier[key] = value),
};

/** The parent context a carrier names; ROOT_CONTEXT (a new trace) when it has no valid traceparent. */
export function parentContext(carrier: Carrier): Context {
  if (carrier['traceparent'] === undefined && carrier['Traceparent'] === undefined) return ROOT_CONTEXT;
  return propagator.extract(ROOT_CONTEXT, carrier, getter);
}

/**
 * The traceparent values this thread wrote, with the remote span context each one names. A value we write
 * (a SERVER span's into req.headers, an attempt's, a link's rewrite) is read back on the same thread a hop
 * later: the gateway's client reads what its SERVER span wrote, the next link what the attempt wrote, the
 * proxy what the link wrote. Such a value is answered from here with the fields OpenTelemetry's parser gives
 * for it (trace id, span id, flags; `isRemote` as the propagator's extract sets it) instead of running the
 * parser again (its regex and the object it makes were ~14 µs of main-thread CPU per gateway request
 * under load, for six parses). Any other value (a caller's, one an instance made) goes through the parser.
 *
 * Two generations of 256 slots, direct-mapped on the last two hex digits of the parent span id (random):
 * a slot holds the latest value that hashed there, and a lookup is an equality test of the whole string,
 * so a miss or an overwritten slot only means a parse. Every 256 writes the older generation is emptied and
 * becomes the newer: a value is remembered for 256 to 512 writes (a gateway request makes 7; 10-20 ms of
 * traffic at 4,000 requests a second, while the read-backs come within a request's own hops) and never
 * longer. One read-back comes late: the value an instance got through its inbound link comes back through
 * its link to the proxy after the instance's own work, a hundred or more writes later under load, and is
 * found 67 % of the time when read 150 writes later (bench/traces/remembered-reads.ts). 1,024 slots per
 * generation found it 90 % of the time (the main thread's parses at 2,000 gateway requests a second 0.1-0.9
 * -> 0.05 µs a request, perf), but more values were alive at every scavenge, and two `up`s of six settled
 * into promoting 66 KB a scavenge instead of 22-27 (--trace-gc-nvp, 2,600 requests a second; 256 slots: 0
 * of 4 that day, 0 of 10 the day before), so it was not kept (2026-12-06).
 * Before the generations (until 2026-12-05), one table of 1,024 slots kept a value until another happened
 * to hash to its slot, so some values (how many depends on how many writes come between two scavenges of
 * the main thread) outlived two scavenges and were promoted with the trace id they named, to be collected
 * by a mark-compact: the generations took the main thread's promoted bytes from 63 to 23 KB a scavenge at
 * 2,600 requests a second (--trace-gc-nvp; 690cf1c). A remembered context is the same object for every
 * reader, typed Readonly; it is not frozen: Object.freeze went to V8's runtime and migrated the object's
 * map on every write, ~0.4 µs each in `up`'s main thread under load (perf), seven writes a gateway request.
 * The same tables are emptied and reused, though a store of a young value into an old table takes the
 * write barrier's slow path (~0.8 µs a gateway request, perf): new tables per generation, tried on
 * 2026-12-06, skipped it, but the tables were alive at every scavenge and were promoted with what they
 * held, and two `up`s of three promoted 66 KB a scavenge instead of 22.
 */
const WRITTEN_SLOTS = 256;
/** Writes per generation (a value is remembered for one to two of these). */
const GENERATION_WRITES = 256;
let writtenValues: (string | undefined)[] = new Array<string | undefined>(WRITTEN_SLOTS).fill(undefined);
let writtenContexts: (Readonly<SpanContext> | undefined)[] = new Array<Readonly<SpanContext> | undefined>(WRITTEN_SLOTS).fill(undefined);
let olderValues: (string | undefined)[] = new Array<string | undefined>(WRITTEN_SLOTS).fill(undefined);
let olderContexts: (Readonly<SpanContext> | undefined)[] = new Array<Readonly<SpanContext> | undefined>(WRITTEN_SLOTS).fill(undefined);
/** Writes into the newer generation so far. */
let generationWrites = 0;
/** `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`: the parent span id ends at offset 52. */
const WRITTEN_LENGTH = 55;

function hexDigit(code: number): number {
  return (code <= 0x39 ? code - 0x30 : code - 0x57) & 15;
}

function writtenSlot(value: string): number {
  return ((hexDigit(value.charCodeAt(50)) << 4) | hexDigit(value.charCodeAt(51))) & (WRITTEN_SLOTS - 1);
}

/** Remembers that this thread wrote `value` naming `context` (only a version-00 value of the usual length). */
export function rememberWritten(value: string, context: SpanContext): void {
  if (value.length !== WRITTEN_LENGTH || context.traceState !== undefined) return;
  if (++generationWrites > GENERATION_WRITES) {
    // the older generation goes; its tables, emptied, hold the newer one from now on
    const values = olderValues;
    const contexts = olderContexts;
    olderValues = writtenValues;
    olderContexts = writtenContexts;
    writtenValues = values.fill(undefined);
    writtenContexts = contexts.fill(undefined);
    generationWrites = 1;
  }
  const slot = writtenSlot(value);
  writtenValues[slot] = value;
  writtenContexts[slot] = { traceId: context.traceId, spanId: context.spanId, traceFlags: context.traceFlags, isRemote: true };
}

/** The context remembered for a value this thread wrote, if it is still remembered. */
function writtenContext(value: string): Readonly<SpanContext> | undefined {
  const slot = writtenSlot(value);
  if (writtenValues[slot] === value) return writtenContexts[slot];
  if (olderValues[slot] === value) return olderContexts[slot];
  return undefined;
}

/**
 * The remote span context a traceparent value names: the one remembered for a value this thread wrote,
 * else OpenTelemetry's W3C parser's (marked remote). Undefined when the value is not valid. The parser
 * only accepts non-zero lower-case hex ids, so what this returns is valid. Do not change the result: a
 * remembered one is shared.
 */
export function parentFromValue(value: string): Readonly<SpanContext> | undefined {
  if (value.length === WRITTEN_LENGTH) {
    const remembered = writtenContext(value);
    if (remembered !== undefined) return remembered;
  }
  const parsed: SpanContext | null = parseTraceParent(value);
  if (!parsed) return undefined;
  parsed.isRemote = true;
  return parsed;
}

/**
 * The remote parent a carrier names, as the propagator's extract reads it (OpenTelemetry's W3C parser, the
 * first of repeated values, tracestate values joined) but without making a Context: undefined when it has
 * no valid traceparent. Do not change the result (see parentFromValue).
 */
export function remoteParent(carrier: Carrier): Readonly<SpanContext> | undefined {
  const raw = carrier['traceparent'] ?? carrier['Traceparent'];
  if (!raw) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string') return undefined;
  const parent = parentFromValue(value);
  const state = carrier['tracestate'] ?? carrier['Tracestate'];
  if (!parent || !state) return parent;
  // completed as the propagator's extract does (a copy: a remembered context is shared)
  return { ...parent, traceState: new TraceState(Array.isArray(state) ? state.join(',') : state) };
}

/**
 * The Context the propagator's inject reads a span from: one holding that span and nothing else, without
 * the Map copy `trace.setSpan(ROOT_CONTEXT, span)` makes (the API's span key is `createContextKey` of its
 * documented description, checked once below; should that ever differ, the API's own context is used).
 */
const SPAN_KEY = createContextKey('OpenTelemetry Context Key SPAN');

class SpanOnlyContext implements Context {
  readonly #span: Span;
  constructor(span: Span) {
    this.#span = span;
  }
  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this.#span : undefined;
  }
  setValue(key: symbol, value: unknown): Context {
    return trace.setSpan(ROOT_CONTEXT, this.#span).setValue(key, value);
  }
  deleteValue(key: symbol): Context {
    return trace.setSpan(ROOT_CONTEXT, this.#span).deleteValue(key);
  }
}

const probe = trace.wrapSpanContext({ traceId: '1'.repeat(32), spanId: '1'.repeat(16), traceFlags: 1 });
const spanOnlyWorks = trace.getSpan(new SpanOnlyContext(probe)) === probe;
const contextOf = (span: Span): Context => (spanOnlyWorks ? new SpanOnlyContext(span) : trace.setSpan(ROOT_CONTEXT, span));

/** A version-00 traceparent value with its parent id (offsets 36-51) replaced by `spanId`, the rest kept. */
export function withParentId(value: string, spanId: string): string {
  return `${value.slice(0, 36)}${spanId}${value.slice(52)}`;
}

/**
 * The value the propagator's inject writes for `span`, derived from its parent's value when that is one it
 * can be derived from: a version-00 value of the usual length, no tracestate, with the child's own trace id
 * and flags (parent-based sampling keeps the flags, except bits other than sampled, which the propagator
 * drops), so only the parent id differs, and it is replaced by the child's span id, as a link does in its
 * bytes. Undefined otherwise (the caller injects). Spares the propagator's context lookups, id checks and
 * formatting for the span a hop makes under the value it was reached with (gateway and proxy SERVER spans,
 * their attempts). A derived value is remembered as written (rememberWritten), as an injected one is.
 */
function childValue(parentValue: string | undefined, context: SpanContext): string | undefined {
  if (parentValue === undefined || parentValue.length !== WRITTEN_LENGTH || context.traceState !== undefined) return undefined;
  if (!parentValue.startsWith('00-') || !parentValue.startsWith(context.traceId, 3)) return undefined;
  const flags = context.traceFlags;
  if (parentValue.charCodeAt(53) !== 0x30 || parentValue.charCodeAt(54) !== (flags === TraceFlags.SAMPLED ? 0x31 : flags === TraceFlags.NONE ? 0x30 : -1)) return undefined;
  const derived = withParentId(parentValue, context.spanId);
  rememberWritten(derived, context);
  return derived;
}

/**
 * The value for a span micro-dev records, when it has no trace state: what the propagator writes for it
 * (version 00, its ids, flags 01: a recorded span is always sampled), without the propagator's checks of
 * what is valid by construction (its ids come from PooledIdGenerator, lower-case hex and never zero, or
 * from a parent the W3C parser or the API's isSpanContextValid accepted). The gateway's SERVER span of a
 * request that came without a traceparent is the one that needs it: the propagator's inject, its context
 * lookups and two regular-expression checks, was ~1.2 µs a request of the main thread (perf, 2026-12-06).
 */
function recordedValue(span: Span, context: SpanContext): string | undefined {
  if (!(span instanceof RecordedSpan) || context.traceState !== undefined) return undefined;
  const value = `00-${context.traceId}-${context.spanId}-01`;
  rememberWritten(value, context);
  return value;
}

/**
 * Writes `traceparent` (and `tracestate`) naming `span` into carrier (lower-case keys). `parentValue`: the
 * traceparent value `span`'s parent was read from, if any (its child's value is derived from it when it can
 * be, see childValue).
 */
export function injectSpan(span: Span, carrier: Record<string, string | string[] | undefined>, parentValue?: string): void {
  const context = span.spanContext();
  const derived = childValue(parentValue, context) ?? recordedValue(span, context);
  if (derived !== undefined) {
    carrier['traceparent'] = derived;
    return;
  }
  propagator.inject(contextOf(span), carrier, setter);
  const value = carrier['traceparent'];
  if (typeof value === 'string') rememberWritten(value, context);
}

/** The traceparent header value naming `span` (`parentValue` as for injectSpan). */
export function traceparentOf(span: Span, parentValue?: string): { traceparent: string; tracestate?: string } {
  const context = span.spanContext();
  const derived = childValue(parentValue, context) ?? recordedValue(span, context);
  if (derived !== undefined) return { traceparent: derived };
  const carrier: Record<string, string> = {};
  propagator.inject(contextOf(span), carrier, setter as TextMapSetter<Record<string, string>>);
  if (carrier['traceparent'] !== undefined) rememberWritten(carrier['traceparent'], context);
  return carrier['tracestate'] ? { traceparent: carrier['traceparent']!, tracestate: carrier['tracestate'] } : { traceparent: carrier['traceparent']! };
}
