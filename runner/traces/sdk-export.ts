/**
 * sdkExport: a recorded span (span-recorder.ts) made into an OpenTelemetry SDK span for the OTLP exporter,
 * identical to the one the store keeps: same trace id, span id (the provider's IdGenerator hands out the
 * recorded ones), parent span context (isRemote included), kind, name, start and end times, attributes,
 * events with their times, links and status. One BasicTracerProvider per component (its resource names
 * the component), a BatchSpanProcessor with the OTLP/HTTP exporter behind it.
 *
 *   RecordedSpan ends ──> TraceStore ──> SdkExport.onEnd ──> SDK span (startSpan .. end) ──> BatchSpanProcessor ──> OTLP
 */
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, type IdGenerator, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { RecordedSpan, SpanSink } from './span-recorder.ts';

/** Hands the SDK the ids of the span being made (it asks for exactly one: a span id, or a trace id and a span id for a root). */
class RecordedIds implements IdGenerator {
  traceId = '';
  spanId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

export class SdkExport implements SpanSink {
  readonly #exporter: () => SpanExporter;
  readonly #namespace: string | undefined;
  readonly #ids = new RecordedIds();
  readonly #providers = new Map<string, { provider: BasicTracerProvider; tracer: Tracer }>();

  /** `target`: the OTLP/HTTP traces URL (`<endpoint>/v1/traces`), or an exporter of one's own (tests). */
  constructor(target: string | SpanExporter, namespace: string | undefined) {
    this.#exporter = typeof target === 'string' ? () => new OTLPTraceExporter({ url: target }) : () => target;
    this.#namespace = namespace;
  }

  onEnd(s: RecordedSpan): void {
    const tracer = this.#tracer(s.service);
    this.#ids.traceId = s.traceId;
    this.#ids.spanId = s.spanId;
    const parent = s.parentSpanContext ? trace.setSpanContext(ROOT_CONTEXT, s.parentSpanContext) : ROOT_CONTEXT;
    const span = tracer.startSpan(s.name, { kind: s.kind, startTime: s.startMs, attributes: s.attributes, ...(s.links.length > 0 ? { links: [...s.links] } : {}) }, parent);
    for (const e of s.events) span.addEvent(e.name, e.attributes, e.timeMs);
    span.setStatus(s.status);
    span.end(s.startMs + s.durationMs);
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.#providers.values()].map((p) => p.provider.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.#providers.values()].map((p) => p.provider.shutdown()));
    this.#providers.clear();
  }

  #tracer(service: string): Tracer {
    let entry = this.#providers.get(service);
    if (!entry) {
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service, ...(this.#namespace ? { 'service.namespace': this.#namespace } : {}) }),
        sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
        idGenerator: this.#ids,
        spanProcessors: [new BatchSpanProcessor(this.#exporter(), { scheduledDelayMillis: 1_000 })],
      });
      entry = { provider, tracer: provider.getTracer('micro-dev') };
      this.#providers.set(service, entry);
    }
    return entry.tracer;
  }
}
