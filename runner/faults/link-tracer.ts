/**
 * LinkTracer: how a link reports the HTTP/1.x exchanges that carry a W3C `traceparent` (runner/traces
 * implements it with OpenTelemetry; the fault plane only sees this interface).
 *
 *   client bytes: request head with `traceparent: 00-<trace>-<parent>-<flags>`
 *       ──tracer.request(link, chunk, toxics)──> a span child of <parent>; its id is written over <parent>
 *         in the chunk (same length, so nothing is re-framed): the instance's own calls become its children
 *   answer status line written to the client (after the toxics) ──exchange.end({ status })
 *   connection refused / reset / closed before the answer ──exchange.end({ error })
 *
 * A request without `traceparent` costs one byte search of its first chunk and is never traced: links
 * continue traces, they do not start them.
 */
import type { ToxicView } from './toxic-catalogue.ts';

export interface TracedExchange {
  /** Something happened to this exchange on the link (a reset, a close). */
  event(name: string, attributes?: Record<string, string | number | boolean>): void;
  /** Ends the span once: an answer with its status, or the reason there was none. */
  end(outcome: { status: number } | { error: string }): void;
}

export interface LinkTracer {
  /**
   * A request starts in `chunk` (client -> server bytes, before any toxic). Returns its span when the head
   * in this chunk carries a traceparent (rewritten in place), else undefined. `toxics` are the ones active
   * for this request on either stream. Synchronous; must not throw.
   */
  request(link: string, chunk: Buffer, toxics: readonly ToxicView[]): TracedExchange | undefined;
}
