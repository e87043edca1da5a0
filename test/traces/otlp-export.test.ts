/**
 * Export: with `telemetry.otlp_endpoint`, every span micro-dev records reaches a real OTLP/HTTP receiver
 * (same ids, parents, service names, toxic events as the in-memory store); without it the standard
 * OTEL_EXPORTER_OTLP_ENDPOINT applies; instances get the OTEL_* variables for their own SDKs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import { instanceEnv } from '../../runner/engine/instance-env.ts';
import { tracingFor } from '../../runner/traces/tracing.ts';
import { eventually, repoRoot, writeTopology } from '../support/cli-process.ts';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.ts';

let receiver: OtlpReceiver;
let orchestrator: Orchestrator;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const svc = (name: string) => `${repoRoot}services/${name}/main.ts`;
  const topo = await writeTopology(`  greeter-srv:
    module: ${svc('greeter-srv')}
  greeter-api:
    module: ${svc('greeter-api')}
    depends_on: [greeter-srv]
`, 'otlp');
  await writeFile(topo.file, (await readFile(topo.file, 'utf8')).replace('services:\n', `telemetry: { otlp_endpoint: "${receiver.url}" }\nservices:\n`));
  const topology = await loadTopology(topo.file);
  orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology) });
  await orchestrator.start();
});
afterAll(async () => {
  await orchestrator?.shutdown();
  await receiver?.close();
});

describe('OTLP/HTTP export', () => {
  it('sends every recorded span of a request to the receiver, ids, parents and toxic events intact', async () => {
    const plane = orchestrator.faultPlane!;
    await plane.addToxic('greeter-srv-1/inbound', { type: 'latency', name: 'slow', attributes: { latency: 40 } });
    const gateway = orchestrator.snapshot().urls.gateway;
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    try {
      const res = await fetch(`${gateway}/greeter/say/hello?name=Ada`, { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } });
      expect(res.status).toBe(200);
      await res.text();
    } finally {
      plane.removeToxic('greeter-srv-1/inbound', 'slow');
    }
    const kept = await eventually(
      async () => {
        const t = orchestrator.tracing!.store.get(traceId);
        return t?.spans.some((s) => s.name === 'greeter-srv-1/inbound') && t.spans.some((s) => s.kind === 'server' && s.service === 'micro-api') ? t : undefined;
      },
      10_000,
      'the whole trace in the store',
    );
    await orchestrator.tracing!.flush();
    const received = await eventually(
      async () => {
        const got = receiver.spans.filter((s) => s.traceId === traceId);
        return got.length >= kept.spans.length ? got : undefined;
      },
      10_000,
      `${kept.spans.length} spans at the receiver`,
    );
    expect([...receiver.contentTypes]).toEqual(['application/json']);
    const key = (s: { spanId: string; parentId?: string; parentSpanId?: string; name: string; service: string }) =>
      `${s.service} ${s.name} ${s.spanId} <- ${s.parentId ?? s.parentSpanId ?? ''}`;
    expect(received.map(key).sort()).toEqual(kept.spans.map(key).sort());
    const link = received.find((s) => s.name === 'greeter-srv-1/inbound')!;
    expect(link.events.find((e) => e.name === 'toxic latency')?.attributes['micro.toxic.latency']).toBe(40);
    const root = received.find((s) => s.service === 'micro-api' && s.kind === 2)!;
    expect(root.parentSpanId).toBe('b7ad6b7169203331');
    expect(root.attributes['http.response.status_code']).toBe(200);
    expect(new Set(received.map((s) => s.service))).toEqual(new Set(['micro-api', 'micro-faults', 'micro-proxy']));
  });
});

describe('OTEL_* for instances and the standard endpoint variable', () => {
  it('gives instances OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES and the exporter endpoint', () => {
    const topology = orchestrator.topology;
    const service = topology.services.find((s) => s.name === 'greeter-srv')!;
    const { env } = instanceEnv(topology, service, 2, { registry: '127.0.0.1:1', otlpEndpoint: receiver.url });
    expect(env.OTEL_SERVICE_NAME).toBe('greeter-srv');
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toBe('service.namespace=otlp,service.instance.id=greeter-srv-2');
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(receiver.url);
    expect(instanceEnv(topology, service, 1, { registry: '127.0.0.1:1' }).env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  });

  it("gives instances micro-dev's sampling for the traces they start themselves, when it records less than all", () => {
    const topology = orchestrator.topology;
    const service = topology.services.find((s) => s.name === 'greeter-srv')!;
    const sampled = instanceEnv(topology, service, 1, { registry: '127.0.0.1:1', sampleRatio: 0.1 }).env;
    expect([sampled.OTEL_TRACES_SAMPLER, sampled.OTEL_TRACES_SAMPLER_ARG]).toEqual(['parentbased_traceidratio', '0.1']);
    const all = instanceEnv(topology, service, 1, { registry: '127.0.0.1:1', sampleRatio: 1 }).env;
    expect([all.OTEL_TRACES_SAMPLER, all.OTEL_TRACES_SAMPLER_ARG]).toEqual([undefined, undefined]);
    // a service's own env wins
    const own = instanceEnv(topology, { ...service, env: { OTEL_TRACES_SAMPLER: 'always_on' } }, 1, { registry: '127.0.0.1:1', sampleRatio: 0.1 }).env;
    expect(own.OTEL_TRACES_SAMPLER).toBe('always_on');
  });

  it('takes OTEL_EXPORTER_OTLP_ENDPOINT when the file names no endpoint, and the file when it does', async () => {
    const topology = orchestrator.topology;
    const bare = { ...topology, telemetry: { traces: true, slowMs: 1000 } };
    expect(tracingFor(bare, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).otlpEndpoint).toBe('http://collector:4318');
    expect(tracingFor(bare, {}).otlpEndpoint).toBeUndefined();
    expect(tracingFor(topology, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).otlpEndpoint).toBe(receiver.url);
    // and the standard variable really exports
    const other = await startOtlpReceiver();
    try {
      const tracing = tracingFor(bare, { OTEL_EXPORTER_OTLP_ENDPOINT: other.url });
      tracing.tracer('micro-proxy').startSpan('probe').end();
      await tracing.shutdown();
      expect(other.spans.map((s) => `${s.service}:${s.name}`)).toEqual(['micro-proxy:probe']);
    } finally {
      await other.close();
    }
  });
});
