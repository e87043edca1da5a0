/**
 * W3C trace context in and out of header records, with OpenTelemetry's own propagator (no hand-written
 * format): extract a parent Context from `traceparent`/`tracestate`, inject a span's as headers.
 */
import { ROOT_CONTEXT, createContextKey, trace, type Context, type Span, type SpanContext, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { TraceState, W3CTraceContextPropagator, parseTraceParent } from '@opentelemetry/core';

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
 * The remote parent a carrier names, as the propagator's extract reads it (OpenTelemetry's W3C parser, the
 * first of repeated values, tracestate values joined) but without making a Context: undefined when it has
 * no valid traceparent. The parser only accepts non-zero lower-case hex ids, so what it returns is valid.
 */
export function remoteParent(carrier: Carrier): SpanContext | undefined {
  const raw = carrier['traceparent'] ?? carrier['Traceparent'];
  if (!raw) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string') return undefined;
  // the parser's own fresh object, completed as the propagator's extract does
  const parsed: SpanContext | null = parseTraceParent(value);
  if (!parsed) return undefined;
  parsed.isRemote = true;
  const state = carrier['tracestate'] ?? carrier['Tracestate'];
  if (state) parsed.traceState = new TraceState(Array.isArray(state) ? state.join(',') : state);
  return parsed;
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

/** Writes `traceparent` (and `tracestate`) naming `span` into carrier (lower-case keys). */
export function injectSpan(span: Span, carrier: Record<string, string | string[] | undefined>): void {
  propagator.inject(contextOf(span), carrier, setter);
}

/** The traceparent header value naming `span`. */
export function traceparentOf(span: Span): { traceparent: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagator.inject(contextOf(span), carrier, setter as TextMapSetter<Record<string, string>>);
  return carrier['tracestate'] ? { traceparent: carrier['traceparent']!, tracestate: carrier['tracestate'] } : { traceparent: carrier['traceparent']! };
}
