/**
 * traceHttpRequest: the SERVER span of one HTTP request micro-dev itself serves (gateway, proxy, web).
 * It continues the caller's `traceparent` (or starts a trace) and then writes its own context into
 * `req.headers`, so every hop the handler makes (metadata copied from the headers, a reverse-proxied
 * request, the kit Client's attempt spans) is its child without any handler knowing about tracing.
 *
 *   req.headers.traceparent (caller's, or none) ──> span `GET /greeter/say/hello` (SERVER)
 *   req.headers.traceparent := span's            ──> handler ──> res 'close' ──> status, error, end
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_URL_PATH, ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { RecordingTracer } from './span-recorder.ts';
import { injectSpan, remoteParent } from './w3c-propagation.ts';

/** The go-micro error a mucp answer carries in `Micro-Error`, when its code means failure (>= 500, 408). */
function microErrorOf(res: ServerResponse): string | undefined {
  const raw = res.getHeader('micro-error');
  if (typeof raw !== 'string' || raw === '') return undefined;
  try {
    const e = JSON.parse(Buffer.from(raw, 'latin1').toString('utf8')) as { code?: number; detail?: string };
    const code = Number(e.code ?? 0);
    return code >= 500 || code === 408 || code === 0 ? (e.detail ?? raw) : undefined;
  } catch {
    return raw;
  }
}

/**
 * The SERVER span of `req`, its context written into `req.headers`. It ends when `res` closes, or, with
 * `endOnClose` false, when the caller (which listens to 'close' already) calls endHttpSpan.
 */
export function traceHttpRequest(tracer: RecordingTracer, req: IncomingMessage, res: ServerResponse, endOnClose = true): Span {
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const span = tracer.startChild(`${method} ${path}`, SpanKind.SERVER, remoteParent(req.headers), { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: path });
  const callerValue = req.headers.traceparent;
  injectSpan(span, req.headers, typeof callerValue === 'string' ? callerValue : undefined);
  // 'close' comes once per response: `on` spares the once-wrapper `once` would make per request. A span
  // not recorded (an unsampled caller's, passed through) has nothing to end.
  if (endOnClose && span.isRecording()) res.on('close', () => endHttpSpan(span, res));
  return span;
}

/** Ends the SERVER span of a response that closed: its status, and an error when it failed (nothing to read for a span not recorded). */
export function endHttpSpan(span: Span, res: ServerResponse): void {
  if (!span.isRecording()) return;
  const status = res.statusCode;
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (!res.writableFinished) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'the caller went away before the answer' });
  } else if (status >= 500) {
    span.setAttribute(ATTR_ERROR_TYPE, String(status));
    span.setStatus({ code: SpanStatusCode.ERROR, message: microErrorOf(res) ?? `HTTP ${status}` });
  } else {
    const microError = microErrorOf(res);
    if (microError !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: microError });
  }
  span.end();
}
