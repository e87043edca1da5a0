/**
 * callSpans: the kit Client's CallTracer over OpenTelemetry, for the gateway's and the proxy's backends.
 * One INTERNAL span per call and one CLIENT span per attempt, each attempt sent with its own traceparent:
 *
 *   go.micro.srv.greeter/Say.Hello (call: micro.call, rpc.method)        events: retry, selection failed
 *     ├─ go.micro.srv.greeter/Say.Hello (attempt 0: node, candidates, ejected) ── greeter-srv-2/inbound ...
 *     └─ go.micro.srv.greeter/Say.Hello (attempt 1, http.request.resend_count 1) ── greeter-srv-1/inbound ...
 *
 * Only continues traces: a call without a parent traceparent is not traced.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_RESEND_COUNT, ATTR_RPC_METHOD, ATTR_RPC_SYSTEM_NAME, ATTR_SERVER_ADDRESS } from '@opentelemetry/semantic-conventions';
import type { CallTracer } from '../../services/kit/call-tracer.ts';
import type { MicroError } from '../../services/kit/errors.ts';
import { parentContext, traceparentOf } from './w3c-propagation.ts';

function fail(span: Span, error: MicroError | undefined): void {
  if (!error) return;
  span.setAttribute(ATTR_ERROR_TYPE, String(error.code));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.detail || error.message });
}

export function callSpans(tracer: Tracer): CallTracer {
  return {
    call(service, endpoint, parent) {
      if (parent.traceparent === undefined) return undefined;
      const parentCtx = parentContext(parent);
      if (!trace.getSpanContext(parentCtx)) return undefined;
      const method = `${service}/${endpoint}`;
      const span = tracer.startSpan(
        method,
        { kind: SpanKind.INTERNAL, attributes: { 'micro.call': true, 'micro.service': service, [ATTR_RPC_SYSTEM_NAME]: 'go-micro', [ATTR_RPC_METHOD]: method } },
        parentCtx,
      );
      const callCtx = trace.setSpan(ROOT_CONTEXT, span);
      let attempts = 0;
      return {
        attempt(node, selection) {
          const index = attempts++;
          if (index > 0) span.addEvent('retry', { 'micro.attempt': index, 'micro.node.id': node.id, 'server.address': node.address });
          const attempt = tracer.startSpan(
            method,
            {
              kind: SpanKind.CLIENT,
              attributes: {
                'micro.attempt': index,
                'micro.node.id': node.id,
                [ATTR_SERVER_ADDRESS]: node.address,
                [ATTR_RPC_SYSTEM_NAME]: 'go-micro',
                [ATTR_RPC_METHOD]: method,
                ...(index > 0 ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: index } : {}),
                ...(selection
                  ? { 'micro.selector.candidates': selection.candidates, 'micro.selector.ejected': selection.ejected, 'micro.selector.tried': selection.tried }
                  : {}),
              },
            },
            callCtx,
          );
          return {
            ...traceparentOf(attempt),
            end(error) {
              fail(attempt, error);
              attempt.end();
            },
          };
        },
        selectionFailed(error) {
          span.addEvent('selection failed', { 'micro.error': error.detail || error.message });
        },
        end(error) {
          span.setAttribute('micro.attempts', attempts);
          fail(span, error);
          span.end();
        },
      };
    },
  };
}
