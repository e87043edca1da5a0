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
 * Sampling: parent-based, as OpenTelemetry's default: a caller's sampled flag decides, and a trace micro-dev
 * starts is recorded with the probability `sampleRatio` (TraceIdRatioBased on its trace id; 1: every one).
 * Unsampled requests are passed through: their traceparent goes on as received, nothing is recorded.
 * The caller owns it: shutdown() flushes the exporter and ends its providers.
 */
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { CallTracer } from '../../services/kit/call-tracer.ts';
import type { Topology } from '../config/topology.ts';
import type { LinkTracer } from '../faults/link-tracer.ts';
import { callSpans } from './call-spans.ts';
import { linkSpans } from './link-spans.ts';
import { SdkExport } from './sdk-export.ts';
import { RecordingTracer, type RecordedSpan, type SpanSink } from './span-recorder.ts';
import { TraceStore, type TraceStoreOptions } from './trace-store.ts';

/**
 * Whether a trace micro-dev starts is recorded: OpenTelemetry's TraceIdRatioBasedSampler on its trace id
 * (so every tracer decides the same for the same trace); undefined when every one is (ratio 1).
 */
function rootSampler(ratio: number): ((traceId: string) => boolean) | undefined {
  if (ratio >= 1) return undefined;
  const sampler = new TraceIdRatioBasedSampler(ratio);
  return (traceId) => sampler.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
}

export type Component = 'micro-api' | 'micro-proxy' | 'micro-web' | 'micro-faults' | 'micro-broker';

export interface TracingOptions {
  /** OTLP/HTTP base URL (`http://127.0.0.1:4318`); spans go to `<url>/v1/traces`. None: kept in memory only. */
  otlpEndpoint?: string;
  store?: TraceStoreOptions;
  /** Resource attribute `service.namespace` (the topology's name). */
  namespace?: string;
  /** Share of the traces micro-dev starts that are recorded, 0..1 (default 1). */
  sampleRatio?: number;
  /** Said once when `up` starts (an OTEL_TRACES_SAMPLER it could not take). */
  notice?: string;
}

/** `<base>/v1/traces` for an OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT's rule). */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * The share of new traces OpenTelemetry's standard OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG ask for,
 * by the SDK's own rules (sdk-trace-base's buildSamplerFromEnv): none set is parentbased_always_on (1);
 * `*always_on` 1, `*always_off` 0, `*traceidratio` the ARG (blank, not a number or outside 0..1: 1). A value
 * it cannot take gives the SDK's default and a notice, as the SDK logs one. micro-dev's hops always follow a
 * caller's sampled flag, so `always_on`, `always_off` and `traceidratio` act as their `parentbased_` forms.
 */
export function samplingFromEnv(env: Readonly<Record<string, string | undefined>>): { ratio: number; notice?: string } {
  const sampler = env['OTEL_TRACES_SAMPLER']?.trim() || 'parentbased_always_on';
  switch (sampler) {
    case 'always_on':
    case 'parentbased_always_on':
      return { ratio: 1 };
    case 'always_off':
    case 'parentbased_always_off':
      return { ratio: 0 };
    case 'traceidratio':
    case 'parentbased_traceidratio': {
      const arg = env['OTEL_TRACES_SAMPLER_ARG']?.trim() ?? '';
      const ratio = arg === '' ? NaN : Number(arg);
      if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) return { ratio };
      return { ratio: 1, notice: `OTEL_TRACES_SAMPLER_ARG ${arg === '' ? 'is blank' : `"${arg}" is not a ratio in 0..1`}: every trace is recorded (set telemetry.sample_ratio, or the ARG to e.g. 0.1)` };
    }
    default:
      return { ratio: 1, notice: `OTEL_TRACES_SAMPLER "${sampler}" is not one micro-dev takes (always_on, always_off, traceidratio, or their parentbased_ forms): every trace is recorded` };
  }
}

/**
 * The Tracing a topology asks for: `telemetry.otlp_endpoint`, else the environment's standard
 * OTEL_EXPORTER_OTLP_ENDPOINT, else in memory only; `telemetry.slow` sets the store's slow threshold;
 * `telemetry.sample_ratio`, else the environment's OTEL_TRACES_SAMPLER (samplingFromEnv), how many new traces are recorded.
 */
export function tracingFor(topology: Topology, env: Readonly<Record<string, string | undefined>>): Tracing {
  const otlpEndpoint = topology.telemetry.otlpEndpoint ?? (env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined);
  const sampling = topology.telemetry.sampleRatio !== undefined ? { ratio: topology.telemetry.sampleRatio } : samplingFromEnv(env);
  return new Tracing({
    namespace: topology.name,
    store: { slowMs: topology.telemetry.slowMs },
    sampleRatio: sampling.ratio,
    ...(sampling.notice ? { notice: sampling.notice } : {}),
    ...(otlpEndpoint ? { otlpEndpoint } : {}),
  });
}

export class Tracing {
  readonly store: TraceStore;
  readonly otlpEndpoint: string | undefined;
  /** Share of the traces micro-dev starts that are recorded. */
  readonly sampleRatio: number;
  /** To say once when `up` starts, if any. */
  readonly notice: string | undefined;
  readonly #sampleRoot: ((traceId: string) => boolean) | undefined;
  readonly #tracers = new Map<Component, RecordingTracer>();
  readonly #export: SdkExport | undefined;
  readonly #sink: SpanSink;

  constructor(options: TracingOptions = {}) {
    this.otlpEndpoint = options.otlpEndpoint;
    this.sampleRatio = options.sampleRatio ?? 1;
    this.notice = options.notice;
    this.#sampleRoot = rootSampler(this.sampleRatio);
    const store = new TraceStore(options.store);
    this.store = store;
    const exporter = options.otlpEndpoint ? new SdkExport(tracesUrl(options.otlpEndpoint), options.namespace) : undefined;
    this.#export = exporter;
    this.#sink = exporter
      ? {
          onStart(span: RecordedSpan) {
            return store.onStart(span);
          },
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
      tracer = new RecordingTracer(component, this.#sink, this.#sampleRoot);
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
