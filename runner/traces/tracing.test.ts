import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { Topology } from '../config/topology.ts';
import { samplingFromEnv, Tracing, tracingFor } from './tracing.ts';

describe('samplingFromEnv (OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, the SDK rules)', () => {
  it('reads the standard samplers as a share of new traces', () => {
    expect(samplingFromEnv({})).toEqual({ ratio: 1 });
    for (const s of ['always_on', 'parentbased_always_on']) expect(samplingFromEnv({ OTEL_TRACES_SAMPLER: s })).toEqual({ ratio: 1 });
    for (const s of ['always_off', 'parentbased_always_off']) expect(samplingFromEnv({ OTEL_TRACES_SAMPLER: s })).toEqual({ ratio: 0 });
    for (const s of ['traceidratio', 'parentbased_traceidratio']) {
      expect(samplingFromEnv({ OTEL_TRACES_SAMPLER: s, OTEL_TRACES_SAMPLER_ARG: '0.25' })).toEqual({ ratio: 0.25 });
      expect(samplingFromEnv({ OTEL_TRACES_SAMPLER: s, OTEL_TRACES_SAMPLER_ARG: ' 0 ' })).toEqual({ ratio: 0 });
    }
  });

  it('falls back to every trace, saying why, for a value it cannot take', () => {
    expect(samplingFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' })).toEqual({ ratio: 1, notice: expect.stringMatching(/OTEL_TRACES_SAMPLER_ARG is blank/) });
    expect(samplingFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' })).toEqual({ ratio: 1, notice: expect.stringMatching(/"1\.5" is not a ratio in 0\.\.1/) });
    expect(samplingFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' })).toEqual({ ratio: 1, notice: expect.stringMatching(/"half"/) });
    expect(samplingFromEnv({ OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toEqual({ ratio: 1, notice: expect.stringMatching(/"jaeger_remote" is not one micro-dev takes/) });
  });
});

describe('tracingFor', () => {
  const topology = (sampleRatio?: number) =>
    ({ name: 't', telemetry: { traces: true, slowMs: 1000, ...(sampleRatio === undefined ? {} : { sampleRatio }) } }) as unknown as Topology;

  it("takes the file's sample_ratio over the environment's sampler, and the environment's when the file names none", () => {
    const env = { OTEL_TRACES_SAMPLER: 'parentbased_always_off' };
    expect(tracingFor(topology(0.5), env).sampleRatio).toBe(0.5);
    expect(tracingFor(topology(), env).sampleRatio).toBe(0);
    expect(tracingFor(topology(), {}).sampleRatio).toBe(1);
    // a sampler it cannot take: the notice `up` prints at start, unless the file decides
    expect(tracingFor(topology(), { OTEL_TRACES_SAMPLER: 'xray' }).notice).toMatch(/"xray" is not one micro-dev takes/);
    expect(tracingFor(topology(0.2), { OTEL_TRACES_SAMPLER: 'xray' }).notice).toBeUndefined();
  });
});

describe('Tracing sampleRatio', () => {
  const roots = (ratio: number, n: number) => {
    const tracer = new Tracing({ sampleRatio: ratio }).tracer('micro-api');
    let recorded = 0;
    for (let i = 0; i < n; i++) {
      const span = tracer.startChild('GET /', SpanKind.SERVER, undefined);
      if (span.isRecording()) recorded++;
      span.end();
    }
    return recorded;
  };

  it('records about that share of the traces it starts (TraceIdRatioBased on random trace ids)', () => {
    expect(roots(1, 500)).toBe(500);
    expect(roots(0, 500)).toBe(0);
    // 4,000 draws at 0.25: mean 1,000, standard deviation 27
    const quarter = roots(0.25, 4000);
    expect(quarter).toBeGreaterThan(850);
    expect(quarter).toBeLessThan(1150);
  });

  it("decides on the trace id as OpenTelemetry's TraceIdRatioBasedSampler does, so every component agrees", () => {
    const tracing = new Tracing({ sampleRatio: 0.5 });
    const reference = new TraceIdRatioBasedSampler(0.5);
    const decisions = new Set<boolean>();
    for (let i = 0; i < 100; i++) {
      const root = tracing.tracer(i % 2 ? 'micro-api' : 'micro-proxy').startChild('GET /', SpanKind.SERVER, undefined);
      const expected = reference.shouldSample(ROOT_CONTEXT, root.spanContext().traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
      expect(root.isRecording()).toBe(expected);
      decisions.add(expected);
      root.end();
    }
    expect(decisions).toEqual(new Set([true, false]));
  });
});
