/**
 * Tracing: micro-dev's own OpenTelemetry SDK, one TracerProvider per component (so an OTLP backend shows
 * `micro-api`, `micro-proxy`, `micro-web`, `micro-faults` as services), every one feeding the same
 * bounded TraceStore and, when an OTLP endpoint is set, a BatchSpanProcessor with the OTLP/HTTP exporter.
 *
 *   gateway/proxy/web ──server + attempt spans┐
 *   fault-plane links ──link spans───────────┼──> TraceStore (in memory, capped)
 *                                            └──> BatchSpanProcessor ──OTLP/HTTP──> <endpoint>/v1/traces
 *
 * Sampling: every trace (AlwaysOn, parent-based: a caller's unsampled traceparent stays unsampled).
 * The caller owns it: shutdown() flushes the exporter and ends the providers.
 */
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { CallTracer } from '../../services/kit/call-tracer.ts';
import type { Topology } from '../config/topology.ts';
import type { LinkTracer } from '../faults/link-tracer.ts';
import { callSpans } from './call-spans.ts';
import { linkSpans } from './link-spans.ts';
import { TraceStore, type TraceStoreOptions } from './trace-store.ts';

export type Component = 'micro-api' | 'micro-proxy' | 'micro-web' | 'micro-faults' | 'micro-broker';

export interface TracingOptions {
  /** OTLP/HTTP base URL (`http://127.0.0.1:4318`); spans go to `<url>/v1/traces`. None: kept in memory only. */
  otlpEndpoint?: string;
  store?: TraceStoreOptions;
  /** Resource attribute `service.namespace` (the topology's name). */
  namespace?: string;
}

/** `<base>/v1/traces` for an OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT's rule). */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * The Tracing a topology asks for: `telemetry.otlp_endpoint`, else the environment's standard
 * OTEL_EXPORTER_OTLP_ENDPOINT, else in memory only; `telemetry.slow` sets the store's slow threshold.
 */
export function tracingFor(topology: Topology, env: Readonly<Record<string, string | undefined>>): Tracing {
  const otlpEndpoint = topology.telemetry.otlpEndpoint ?? (env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined);
  return new Tracing({ namespace: topology.name, store: { slowMs: topology.telemetry.slowMs }, ...(otlpEndpoint ? { otlpEndpoint } : {}) });
}

export class Tracing {
  readonly store: TraceStore;
  readonly otlpEndpoint: string | undefined;
  readonly #providers = new Map<Component, BasicTracerProvider>();
  readonly #options: TracingOptions;

  constructor(options: TracingOptions = {}) {
    this.#options = options;
    this.otlpEndpoint = options.otlpEndpoint;
    this.store = new TraceStore(options.store);
  }

  tracer(component: Component): Tracer {
    let provider = this.#providers.get(component);
    if (!provider) {
      const processors: SpanProcessor[] = [this.store];
      if (this.#options.otlpEndpoint) {
        processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(this.#options.otlpEndpoint) }), { scheduledDelayMillis: 1_000 }));
      }
      provider = new BasicTracerProvider({
        resource: resourceFromAttributes({
          [ATTR_SERVICE_NAME]: component,
          ...(this.#options.namespace ? { 'service.namespace': this.#options.namespace } : {}),
        }),
        sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
        spanProcessors: processors,
      });
      this.#providers.set(component, provider);
    }
    return provider.getTracer('micro-dev');
  }

  /** The kit Client's tracer for a component's backend (call and attempt spans). */
  callTracer(component: Component): CallTracer {
    return callSpans(this.tracer(component));
  }

  /** The fault plane's tracer (a span per link crossed). */
  linkTracer(): LinkTracer {
    return linkSpans(this.tracer('micro-faults'));
  }

  /** Sends what is batched (OTLP). Resolves when done or failed; never rejects. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#providers.values()].map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.#providers.values()].map((p) => p.shutdown()));
    this.#providers.clear();
  }
}
