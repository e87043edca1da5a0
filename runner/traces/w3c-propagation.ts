/**
 * W3C trace context in and out of header records, with OpenTelemetry's own propagator (no hand-written
 * format): extract a parent Context from `traceparent`/`tracestate`, inject a span's as headers.
 */
import { ROOT_CONTEXT, trace, type Context, type Span, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

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

/** Writes `traceparent` (and `tracestate`) naming `span` into carrier (lower-case keys). */
export function injectSpan(span: Span, carrier: Record<string, string | string[] | undefined>): void {
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, setter);
}

/** The traceparent header value naming `span`. */
export function traceparentOf(span: Span): { traceparent: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, setter as TextMapSetter<Record<string, string>>);
  return carrier['tracestate'] ? { traceparent: carrier['traceparent']!, tracestate: carrier['tracestate'] } : { traceparent: carrier['traceparent']! };
}
