/**
 * W3C trace context forwarding, the way any go-micro service in any language joins a trace: the
 * `traceparent` / `tracestate` a request came in with go out again on every call its handler makes.
 *
 *   Server: request headers ──withTraceHeaders()──> handler (AsyncLocalStorage holds the two headers)
 *   Client: call made inside the handler ──traceHeaders()──> same headers on the outgoing request
 *
 * The kit does not create spans itself (no OpenTelemetry SDK in every instance): micro-dev's gateway,
 * proxy and fault-plane links do, and each link rewrites the parent id it forwards, so the next hop is
 * that link's child. A caller that sets its own `traceparent` header on a call wins.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface TraceHeaders {
  traceparent: string;
  tracestate?: string;
}

const current = new AsyncLocalStorage<TraceHeaders>();

/** Runs fn with the request's trace headers as the context of every call it makes; without one, just runs fn. */
export function withTraceHeaders<T>(headers: Readonly<Record<string, string | string[] | undefined>>, fn: () => T): T {
  const traceparent = headers['traceparent'];
  if (typeof traceparent !== 'string' || traceparent === '') return fn();
  const tracestate = headers['tracestate'];
  return current.run(typeof tracestate === 'string' && tracestate !== '' ? { traceparent, tracestate } : { traceparent }, fn);
}

/** The trace headers of the request being handled, or undefined outside a traced handler. */
export function traceHeaders(): TraceHeaders | undefined {
  return current.getStore();
}

/** The `traceparent` in a header record, whatever its case (`traceparent`, Go's `Traceparent`). */
export function traceparentOf(headers: Readonly<Record<string, string>> | undefined): string | undefined {
  if (!headers) return undefined;
  return headers['traceparent'] ?? headers['Traceparent'];
}
