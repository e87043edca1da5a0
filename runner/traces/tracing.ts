/**
 * Tracing: micro-dev's tracers, one per component (so an OTLP backend shows `micro-api`, `micro-proxy`,
 * `micro-web`, `micro-faults` as services), every one feeding the same bounded TraceStore and, when an OTLP
 * endpoint is set, the SDK export (each ended span made into an SDK span with the same ids, then a
 * BatchSpanProcessor with the OTLP/HTTP exporter).
 *
 *   gateway/proxy/web ──server + attempt spans┐
 *   fault-plane links ──link spans───────────┼──> TraceStore (in memory, capped)
 *     (RecordingTracer, span-recorder.ts)    └──> SdkExport ──> BatchSpanProcessor ──OTLP/HTTP──> <endpoint>/v1/traces
 *
 * Sampling: every trace (AlwaysOn, parent-based: a caller's unsampled traceparent stays unsampled).
 * The caller owns it: shutdown() flushes the exporter and ends its providers.
 */
import type { CallTracer } from '../../services/kit/call-tracer.ts';
import type { Topology } from '../config/topology.ts';
import type { LinkTracer } from '../faults/link-tracer.ts';
import { callSpans } from './call-spans.ts';
import { linkSpans } from './link-spans.ts';
import { SdkExport } from './sdk-export.ts';
import { RecordingTracer, type RecordedSpan, type SpanSink } from './span-recorder.ts';
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
  readonly #tracers = new Map<Component, RecordingTracer>();
  readonly #export: SdkExport | undefined;
  readonly #sink: SpanSink;

  constructor(options: TracingOptions = {}) {
    this.otlpEndpoint = options.otlpEndpoint;
    const store = new TraceStore(options.store);
    this.store = store;
    const exporter = options.otlpEndpoint ? new SdkExport(tracesUrl(options.otlpEndpoint), options.namespace) : undefined;
    this.#export = exporter;
    this.#sink = exporter
      ? {
          onEnd(span: RecordedSpan) {
            store.onEnd(span);
            exporter.onEnd(span);
          },
        }
      : store;
  }

  /** A component's tracer (OpenTelemetry API Tracer; its spans carry the component as service.name). */
  tracer(component: Component): RecordingTracer {
    let tracer = this.#tracers.get(component);
    if (!tracer) {
      tracer = new RecordingTracer(component, this.#sink);
      this.#tracers.set(component, tracer);
    }
    return tracer;
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
    await this.#export?.flush();
  }

  async shutdown(): Promise<void> {
    await this.#export?.shutdown();
  }
}
