/**
 * linkSpans: the fault plane's LinkTracer over OpenTelemetry. One span per HTTP exchange that crosses a
 * link carrying a traceparent, named after the link (`greeter-srv-2/inbound`), with every toxic active
 * for that request as a span event (`toxic latency` {micro.toxic.latency: 1000, ...}) and resets as events.
 *
 *   chunk: ...\r\ntraceparent: 00-<trace id>-<caller span>-01\r\n...
 *     └─> span (parent <caller span>); <caller span> overwritten with the link span's id, in place
 *
 * The rewrite keeps the request byte-for-byte the same length, so what the instance does next (its own
 * calls forward the traceparent it got) hangs under the link it was reached through. An unsampled
 * traceparent (flags without the sampled bit) is passed through untouched: no span, no parse, no rewrite.
 */
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { LinkTracer, TracedExchange } from '../faults/link-tracer.ts';
import type { ToxicView } from '../faults/toxic-catalogue.ts';
import type { RecordingTracer } from './span-recorder.ts';
import { parentFromValue, rememberWritten, withParentId } from './w3c-propagation.ts';

const NAME = Buffer.from('raceparent:');
const VALUE_LENGTH = 55; // 00-<32 hex>-<16 hex>-<2 hex>

/** Whether the traceparent value at `at` in chunk has the sampled flag (the low bit of its flags byte, offsets 53-54). */
export function sampledAt(chunk: Buffer, at: number): boolean {
  const c = chunk[at + 54]!;
  // the low bit of the last hex digit: '1' '3' ... '9' have odd codes, 'b' 'd' 'f' (and 'B' 'D' 'F') even ones
  return c <= 0x39 ? (c & 1) === 1 : (c & 1) === 0;
}

/** Whether chunk has the blank line that ends a head (CR LF CR LF) before offset `at`. */
function headEndsBefore(chunk: Buffer, at: number): boolean {
  for (let i = 3; i < at; i++) {
    if (chunk[i] === 0x0a && chunk[i - 3] === 0x0d && chunk[i - 2] === 0x0a && chunk[i - 1] === 0x0d) return true;
  }
  return false;
}

/**
 * Offset of the traceparent value in a request head in chunk, or -1 (a `traceparent:` line in the body
 * does not count). The head's end is looked for only before the line found, in JavaScript: a client puts
 * the header near the top of its head (the kit right after the caller's metadata), so that is a few dozen
 * bytes where a Buffer indexOf for the end went through the whole head in a call into C++ (146 against
 * 26 ns in process on a kit client's head).
 */
export function traceparentOffset(chunk: Buffer): number {
  let at = chunk.indexOf(NAME);
  while (at >= 2) {
    const t = chunk[at - 1];
    if ((t === 0x74 || t === 0x54) && chunk[at - 2] === 0x0a) {
      if (headEndsBefore(chunk, at - 1)) return -1;
      let v = at + NAME.length;
      while (chunk[v] === 0x20 || chunk[v] === 0x09) v++;
      return v + VALUE_LENGTH <= chunk.length ? v : -1;
    }
    at = chunk.indexOf(NAME, at + 1);
  }
  return -1;
}

function toxicEvent(toxic: ToxicView): [string, Record<string, string | number | boolean>] {
  const attributes: Record<string, string | number | boolean> = {
    'micro.toxic.type': toxic.type,
    'micro.toxic.name': toxic.name,
    'micro.toxic.stream': toxic.stream,
    'micro.toxic.toxicity': toxic.toxicity,
  };
  for (const [k, v] of Object.entries(toxic.attributes)) {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') attributes[`micro.toxic.${k}`] = v;
  }
  return [`toxic ${toxic.type}`, attributes];
}

/** One link span until the exchange ends (one object per request, no closures). */
class LinkExchange implements TracedExchange {
  readonly #span: Span;
  #ended = false;

  constructor(span: Span) {
    this.#span = span;
  }

  event(name: string, attributes?: Record<string, string | number | boolean>): void {
    if (!this.#ended) this.#span.addEvent(name, attributes);
  }

  end(outcome: { status: number } | { error: string }): void {
    if (this.#ended) return;
    this.#ended = true;
    const span = this.#span;
    if ('status' in outcome) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
      if (outcome.status >= 500) {
        span.setAttribute(ATTR_ERROR_TYPE, String(outcome.status));
        span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${outcome.status}` });
      }
    } else {
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error });
    }
    span.end();
  }
}

export function linkSpans(tracer: RecordingTracer): LinkTracer {
  // the instance a link leads to (or comes from), worked out once per link
  const instanceOf = new Map<string, string>();
  return {
    request(link, chunk, toxics): TracedExchange | undefined {
      const at = traceparentOffset(chunk);
      if (at < 0 || !sampledAt(chunk, at)) return undefined;
      // the value alone (the link has no header record to hand the propagator): one this thread wrote is
      // known, any other goes through OpenTelemetry's W3C parser (w3c-propagation.ts)
      const value = chunk.toString('latin1', at, at + VALUE_LENGTH);
      const parent = parentFromValue(value);
      if (!parent) return undefined;
      let instance = instanceOf.get(link);
      if (instance === undefined) {
        instance = link.split('/')[0] ?? link;
        instanceOf.set(link, instance);
      }
      const span = tracer.startChild(link, SpanKind.INTERNAL, parent, { 'micro.link': link, 'micro.instance': instance });
      for (const toxic of toxics) span.addEvent(...toxicEvent(toxic));
      // the next hop's parent is this span: same length, so framing is untouched
      const own = span.spanContext();
      chunk.write(own.spanId, at + 36, 'latin1');
      // the proxy or the next link reads it back on this thread: the value keeps the caller's flags byte
      rememberWritten(withParentId(value, own.spanId), { traceId: parent.traceId, spanId: own.spanId, traceFlags: parent.traceFlags });
      return new LinkExchange(span);
    },
  };
}
