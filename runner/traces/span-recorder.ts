/**
 * RecordingTracer: micro-dev's spans on the hot path, an OpenTelemetry API `Tracer` whose spans are
 * compact records (RecordedSpan, an API `Span`) that go straight into the TraceStore when they end, and
 * become OpenTelemetry SDK spans only when something exports them (OTLP): the SDK span is made then, with
 * the same ids, parent, times, attributes, events and status (`sdk-export.ts`).
 *
 *   startSpan / startChild ──> RecordedSpan (random ids as the SDK's RandomIdGenerator makes them, parent-based AlwaysOn)
 *        made ──> sink.onStart: TraceStore counts it open in its trace (sinkState: that trace)
 *        end() ──> sink.onEnd: TraceStore (a compact record of it kept in the trace) [──> SDK span ──> OTLP]
 *
 * Why not an SDK span per span: tracing on is 7 spans per gateway request on the main thread, and each
 * SDK span is a large object (context, hrtime arrays, limits, metrics callbacks, processors) made and
 * dropped; under load that was ~3 times the span work measured in isolation plus the GC of it, and the
 * SDK span was only copied into the store anyway. The rules kept from the SDK: parent-based sampling (a
 * caller's flag decides; a new trace is recorded when the tracer's root sampler, TraceIdRatioBased, says so),
 * the trace state inherited,
 * attribute values checked (`isAttributeValue`) and event attributes sanitized (`sanitizeAttributes`),
 * its default limits (128 attributes, 128 events), the first non-UNSET status set wins unless OK, the
 * time inputs (epoch ms, performance ms, Date, HrTime), end() once, a negative duration clamped to 0.
 */
import {
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  context as apiContext,
  isSpanContextValid,
  trace,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type Tracer,
} from '@opentelemetry/api';
import { isAttributeValue, isTracingSuppressed, sanitizeAttributes } from '@opentelemetry/core';
import { PooledIdGenerator } from './span-ids.ts';

/** The SDK's default span limits (SpanLimits without OTEL_* overrides). */
const ATTRIBUTE_COUNT_LIMIT = 128;
const EVENT_COUNT_LIMIT = 128;
const LINK_COUNT_LIMIT = 128;

export interface RecordedEvent {
  name: string;
  attributes: Attributes;
  /** Epoch milliseconds (fractional). */
  timeMs: number;
}

/** Where ended spans go (the TraceStore; the OTLP bridge behind it when export is on). */
export interface SpanSink {
  /** A recorded span began; what it returns is kept on the span (`sinkState`) for its end. */
  onStart?(span: RecordedSpan): unknown;
  onEnd(span: RecordedSpan): void;
}

const ids = new PooledIdGenerator();
/**
 * The Performance object and this thread's time origin, read once: Node defines the global `performance` as
 * an accessor (a getter call on every read of the name), and the origin is fixed for the thread's life.
 */
const clock = performance;
const ORIGIN = clock.timeOrigin;
const now = (): number => ORIGIN + clock.now();
const hasOwn = Object.prototype.hasOwnProperty;
const NO_EVENTS: readonly RecordedEvent[] = Object.freeze([]) as readonly RecordedEvent[];
const NO_LINKS: readonly Link[] = Object.freeze([]) as readonly Link[];
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });

/** Whether setAttribute takes the value: a string, number or boolean always; anything else as the SDK's check says. */
function validValue(value: AttributeValue | undefined): value is AttributeValue {
  if (value == null) return false;
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || isAttributeValue(value);
}

/** A TimeInput as epoch ms, the way the SDK reads it (a number not after performance.now() is a performance time). */
function epochMs(input: TimeInput | undefined): number {
  if (input === undefined) return now();
  if (typeof input === 'number') return input <= clock.now() ? ORIGIN + input : input;
  if (input instanceof Date) return input.getTime();
  if (Array.isArray(input)) return input[0] * 1e3 + input[1] / 1e6;
  return now();
}

export class RecordedSpan implements Span {
  readonly parentSpanContext: SpanContext | undefined;
  name: string;
  readonly kind: SpanKind;
  readonly startMs: number;
  /** Set by end(). */
  durationMs = 0;
  /** Set by end(): the status message of an ERROR status. */
  error: string | undefined = undefined;
  readonly attributes: Attributes;
  events: readonly RecordedEvent[] = NO_EVENTS;
  links: readonly Link[] = NO_LINKS;
  status: SpanStatus = UNSET;
  /** What the sink's onStart returned for this span (the store's record of its trace), read when it ends. */
  readonly sinkState: unknown;
  #attributeCount = 0;
  #ended = false;
  readonly #context: SpanContext;
  /** Its tracer: the component (service name) and where the span goes when it ends. */
  readonly #tracer: RecordingTracer;

  /**
   * `attributes`: the span's first attributes, an object the span takes as its own (the caller made it for
   * this span and keeps no hold of it); values setAttribute would refuse are removed from it.
   */
  constructor(tracer: RecordingTracer, name: string, kind: SpanKind, spanContext: SpanContext, parent: SpanContext | undefined, startMs: number, attributes?: Attributes) {
    this.#tracer = tracer;
    this.name = name;
    this.kind = kind;
    this.#context = spanContext;
    this.parentSpanContext = parent;
    this.startMs = startMs;
    if (attributes === undefined) {
      this.attributes = {};
    } else {
      let count = 0;
      for (const key in attributes) {
        if (!hasOwn.call(attributes, key)) continue;
        if (count < ATTRIBUTE_COUNT_LIMIT && key.length > 0 && validValue(attributes[key])) count++;
        else delete attributes[key];
      }
      this.attributes = attributes;
      this.#attributeCount = count;
    }
    this.sinkState = tracer.sink.onStart?.(this);
  }

  get traceId(): string {
    return this.#context.traceId;
  }

  get spanId(): string {
    return this.#context.spanId;
  }

  /** The parent's span id; undefined for a root. */
  get parentId(): string | undefined {
    return this.parentSpanContext?.spanId;
  }

  /** The component that made it (resource `service.name`): micro-api, micro-proxy, micro-faults, ... */
  get service(): string {
    return this.#tracer.service;
  }

  spanContext(): SpanContext {
    return this.#context;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (this.#ended || key.length === 0 || !validValue(value)) return this;
    // no value held is undefined, so an undefined one is a new key (the own-property check only for the rest)
    const isNew = this.attributes[key] === undefined || !hasOwn.call(this.attributes, key);
    if (isNew && this.#attributeCount >= ATTRIBUTE_COUNT_LIMIT) return this;
    this.attributes[key] = value;
    if (isNew) this.#attributeCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) {
      if (hasOwn.call(attributes, key)) this.setAttribute(key, attributes[key]);
    }
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.#ended) return this;
    let attributes: Attributes | undefined;
    if (attributesOrTime instanceof Date || typeof attributesOrTime === 'number' || Array.isArray(attributesOrTime)) {
      if (time === undefined) time = attributesOrTime;
    } else {
      attributes = attributesOrTime;
    }
    const events = this.events === NO_EVENTS ? [] : (this.events as RecordedEvent[]);
    if (events.length >= EVENT_COUNT_LIMIT) events.shift();
    events.push({ name, attributes: sanitizeAttributes(attributes), timeMs: epochMs(time) });
    this.events = events;
    return this;
  }

  addLink(link: Link): this {
    if (this.#ended) return this;
    const links = this.links === NO_LINKS ? [] : (this.links as Link[]);
    if (links.length >= LINK_COUNT_LIMIT) links.shift();
    const attributes = sanitizeAttributes(link.attributes);
    links.push(Object.keys(attributes).length > 0 ? { context: link.context, attributes } : { context: link.context });
    this.links = links;
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.#ended || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    this.status = status.code === SpanStatusCode.ERROR && typeof status.message === 'string' ? { code: status.code, message: status.message } : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.#ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.#ended) return;
    this.#ended = true;
    this.durationMs = Math.max(0, epochMs(endTime) - this.startMs);
    if (this.status.code === SpanStatusCode.ERROR) this.error = this.status.message || 'error';
    this.#tracer.sink.onEnd(this);
  }

  isRecording(): boolean {
    return !this.#ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else if (exception) {
      if (exception.code !== undefined) attributes['exception.type'] = String(exception.code);
      else if (exception.name) attributes['exception.type'] = exception.name;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] || attributes['exception.message']) this.addEvent('exception', attributes, time);
  }
}

/** One component's tracer (its spans carry `service` as the resource's service.name). */
export class RecordingTracer implements Tracer {
  readonly service: string;
  readonly sink: SpanSink;
  /** Whether a new trace is recorded (by its trace id); undefined: every one is. */
  readonly #sampleRoot: ((traceId: string) => boolean) | undefined;

  constructor(service: string, sink: SpanSink, sampleRoot?: (traceId: string) => boolean) {
    this.service = service;
    this.sink = sink;
    this.#sampleRoot = sampleRoot;
  }

  startSpan(name: string, options: SpanOptions = {}, context: Context = apiContext.active()): Span {
    if (isTracingSuppressed(context)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parent = options.root ? undefined : trace.getSpanContext(context);
    // sanitizeAttributes copies: the copy is the span's own, and the caller's object stays theirs
    const attributes = options.attributes ? sanitizeAttributes(options.attributes) : undefined;
    const span = this.startChild(name, options.kind ?? SpanKind.INTERNAL, parent && isSpanContextValid(parent) ? parent : undefined, attributes, options.startTime);
    if (options.links && span instanceof RecordedSpan) span.addLinks(options.links);
    return span;
  }

  /**
   * The hot path: a span under a parent span context already known valid (parsed with OpenTelemetry's
   * W3C parser), or a new trace when undefined; no Context objects made. `attributes`: its first ones, an
   * object made for this span (it becomes the span's own: one object literal instead of a setAttribute
   * per key, each growing the span's object); not used when the span is not recorded.
   */
  startChild(name: string, kind: SpanKind, parent: SpanContext | undefined, attributes?: Attributes, startTime?: TimeInput): Span {
    if (parent === undefined) {
      const traceId = ids.generateTraceId();
      const spanId = ids.generateSpanId();
      // not recorded: a non-recording span whose context (flags 00) goes on, so every later hop passes it through
      if (this.#sampleRoot !== undefined && !this.#sampleRoot(traceId)) return trace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.NONE });
      return new RecordedSpan(this, name, kind, { traceId, spanId, traceFlags: TraceFlags.SAMPLED }, undefined, epochMs(startTime), attributes);
    }
    // parent-based: the parent's sampled flag decides. An unsampled parent is passed through (W3C trace
    // context allows a participant that records nothing to send the traceparent on unchanged): the
    // non-recording span carries the parent's own context, so no id is made and what is sent on is what came in.
    if ((parent.traceFlags & TraceFlags.SAMPLED) === 0) return trace.wrapSpanContext(parent);
    const spanId = ids.generateSpanId();
    const spanContext: SpanContext = parent.traceState
      ? { traceId: parent.traceId, spanId, traceFlags: TraceFlags.SAMPLED, traceState: parent.traceState }
      : { traceId: parent.traceId, spanId, traceFlags: TraceFlags.SAMPLED };
    return new RecordedSpan(this, name, kind, spanContext, parent, epochMs(startTime), attributes);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, context: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, a?: SpanOptions | F, b?: Context | F, c?: F): ReturnType<F> {
    const fn = (c ?? (typeof b === 'function' ? b : a)) as F;
    const options = typeof a === 'object' ? a : {};
    const parent = typeof b === 'object' ? b : apiContext.active();
    const span = this.startSpan(name, options, parent);
    return apiContext.with(trace.setSpan(parent, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}
