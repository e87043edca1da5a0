/**
 * callSpans: the kit Client's CallTracer over OpenTelemetry, for the gateway's and the proxy's backends.
 * One CLIENT span per attempt (OpenTelemetry's rule for resends: each try is its own client span), each
 * sent with its own traceparent, all children of the span the call was made under:
 *
 *   GET /greeter/say/hello (SERVER)
 *     ├─ go.micro.srv.greeter/Say.Hello (attempt 0: node, candidates, ejected) ── greeter-srv-2/inbound ...
 *     └─ go.micro.srv.greeter/Say.Hello (attempt 1, http.request.resend_count 1, tried) ── greeter-srv-1/inbound ...
 *
 * A selection that finds no node is an attempt span too (error, no node). Only continues traces: a call
 * without a parent traceparent is not traced, nor is one under an unsampled parent (its traceparent goes on
 * unchanged). No span for the call as a whole: two fewer spans per
 * request through the gateway and the proxy (the hot path), and the attempts say everything it would.
 */
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type Span, type SpanContext } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_RESEND_COUNT, ATTR_RPC_METHOD, ATTR_RPC_SYSTEM_NAME, ATTR_SERVER_ADDRESS } from '@opentelemetry/semantic-conventions';
import type { AttemptTrace, CallTrace, CallTracer, Selection } from '../../services/kit/call-tracer.ts';
import type { MicroError } from '../../services/kit/errors.ts';
import type { RegistryNode } from '../../services/kit/types.ts';
import type { RecordingTracer } from './span-recorder.ts';
import { remoteParent, traceparentOf } from './w3c-propagation.ts';

function fail(span: Span, error: MicroError | undefined): void {
  if (!error) return;
  span.setAttribute(ATTR_ERROR_TYPE, String(error.code));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.detail || error.message });
}

/** One attempt's span and the traceparent (and tracestate) the attempt sends. */
class AttemptSpan implements AttemptTrace {
  readonly traceparent: string;
  readonly tracestate?: string;
  readonly #span: Span;

  constructor(span: Span, header: { traceparent: string; tracestate?: string }) {
    this.#span = span;
    this.traceparent = header.traceparent;
    if (header.tracestate !== undefined) this.tracestate = header.tracestate;
  }

  end(error?: MicroError): void {
    fail(this.#span, error);
    this.#span.end();
  }
}

/** The attempt spans of one call (one object per call: no closures). */
class CallSpans implements CallTrace {
  readonly #tracer: RecordingTracer;
  readonly #service: string;
  readonly #method: string;
  readonly #parent: SpanContext;
  /** The traceparent the call was made under (the SERVER span's): each attempt's is derived from it. */
  readonly #parentValue: string;
  #attempts = 0;

  constructor(tracer: RecordingTracer, service: string, method: string, parent: SpanContext, parentValue: string) {
    this.#tracer = tracer;
    this.#service = service;
    this.#method = method;
    this.#parent = parent;
    this.#parentValue = parentValue;
  }

  attempt(node: RegistryNode, selection: Selection | undefined): AttemptTrace {
    const attributes = this.#attributes();
    attributes['micro.node.id'] = node.id;
    attributes[ATTR_SERVER_ADDRESS] = node.address;
    if (selection) {
      attributes['micro.selector.candidates'] = selection.candidates;
      attributes['micro.selector.ejected'] = selection.ejected;
      attributes['micro.selector.tried'] = selection.tried;
    }
    const span = this.#tracer.startChild(this.#method, SpanKind.CLIENT, this.#parent, attributes);
    return new AttemptSpan(span, traceparentOf(span, this.#parentValue));
  }

  selectionFailed(error: MicroError): void {
    const span = this.#tracer.startChild(this.#method, SpanKind.CLIENT, this.#parent, this.#attributes());
    fail(span, error);
    span.end();
  }

  /** A new attempt's attributes, in one object its span takes as its own: its number, the call's service and method. */
  #attributes(): Attributes {
    const index = this.#attempts++;
    const attributes: Attributes = { 'micro.attempt': index, 'micro.service': this.#service, [ATTR_RPC_SYSTEM_NAME]: 'go-micro', [ATTR_RPC_METHOD]: this.#method };
    if (index > 0) attributes[ATTR_HTTP_REQUEST_RESEND_COUNT] = index;
    return attributes;
  }

  end(): void {}
}

export function callSpans(tracer: RecordingTracer): CallTracer {
  return {
    call(service, endpoint, parent) {
      if (parent.traceparent === undefined) return undefined;
      const parentCtx = remoteParent(parent);
      // an unsampled caller is passed through: the kit client sends its traceparent on as it came
      if (!parentCtx || (parentCtx.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
      return new CallSpans(tracer, service, `${service}/${endpoint}`, parentCtx, parent.traceparent);
    },
  };
}
