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
import { SpanKind, SpanStatusCode, TraceFlags, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_RESEND_COUNT, ATTR_RPC_METHOD, ATTR_RPC_SYSTEM_NAME, ATTR_SERVER_ADDRESS } from '@opentelemetry/semantic-conventions';
import type { CallTracer } from '../../services/kit/call-tracer.ts';
import type { MicroError } from '../../services/kit/errors.ts';
import type { RecordingTracer } from './span-recorder.ts';
import { remoteParent, traceparentOf } from './w3c-propagation.ts';

function fail(span: Span, error: MicroError | undefined): void {
  if (!error) return;
  span.setAttribute(ATTR_ERROR_TYPE, String(error.code));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.detail || error.message });
}

export function callSpans(tracer: RecordingTracer): CallTracer {
  return {
    call(service, endpoint, parent) {
      if (parent.traceparent === undefined) return undefined;
      const parentCtx = remoteParent(parent);
      // an unsampled caller is passed through: the kit client sends its traceparent on as it came
      if (!parentCtx || (parentCtx.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
      const method = `${service}/${endpoint}`;
      let attempts = 0;
      // attributes set once the span exists: given to startSpan they are checked and copied three times
      const start = (): Span => {
        const index = attempts++;
        const span = tracer
          .startChild(method, SpanKind.CLIENT, parentCtx)
          .setAttribute('micro.attempt', index)
          .setAttribute('micro.service', service)
          .setAttribute(ATTR_RPC_SYSTEM_NAME, 'go-micro')
          .setAttribute(ATTR_RPC_METHOD, method);
        if (index > 0) span.setAttribute(ATTR_HTTP_REQUEST_RESEND_COUNT, index);
        return span;
      };
      return {
        attempt(node, selection) {
          const attempt = start().setAttribute('micro.node.id', node.id).setAttribute(ATTR_SERVER_ADDRESS, node.address);
          if (selection) {
            attempt
              .setAttribute('micro.selector.candidates', selection.candidates)
              .setAttribute('micro.selector.ejected', selection.ejected)
              .setAttribute('micro.selector.tried', selection.tried);
          }
          // derived from the value the call was made under (the SERVER span's) when it can be
          const header = traceparentOf(attempt, parent.traceparent);
          return {
            traceparent: header.traceparent,
            ...(header.tracestate !== undefined ? { tracestate: header.tracestate } : {}),
            end(error) {
              fail(attempt, error);
              attempt.end();
            },
          };
        },
        selectionFailed(error) {
          const attempt = start();
          fail(attempt, error);
          attempt.end();
        },
        end() {},
      };
    },
  };
}
