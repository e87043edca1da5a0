import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { hrTimeToMilliseconds, TraceState } from '@opentelemetry/core';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { SdkExport } from './sdk-export.ts';
import { RecordingTracer, type RecordedSpan } from './span-recorder.ts';
import { TraceStore } from './trace-store.ts';

const traceId = '0af7651916cd43dd8448eb211c80319c';

function recorder() {
  const store = new TraceStore();
  const exporter = new InMemorySpanExporter();
  const sdk = new SdkExport(exporter, 'test-topology');
  const sink = {
    onEnd(span: RecordedSpan) {
      store.onEnd(span);
      sdk.onEnd(span);
    },
  };
  return { store, exporter, sdk, tracer: (service: string) => new RecordingTracer(service, sink) };
}

describe('RecordingTracer', () => {
  it('continues a sampled parent (trace state kept) and starts a trace without one', () => {
    const { store, tracer } = recorder();
    const parent = { traceId, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: new TraceState('k=v') };
    const child = tracer('micro-api').startChild('GET /x', SpanKind.SERVER, parent);
    expect(child.spanContext()).toMatchObject({ traceId, traceFlags: TraceFlags.SAMPLED });
    expect(child.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanContext().traceState?.serialize()).toBe('k=v');
    child.end();
    const root = tracer('micro-api').startSpan('GET /y', {}, ROOT_CONTEXT);
    root.end();
    expect(root.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(store.get(traceId)?.spans.map((s) => [s.name, s.parentId, s.kind, s.service])).toEqual([['GET /x', 'b7ad6b7169203331', 'server', 'micro-api']]);
    expect(store.get(root.spanContext().traceId)?.spans[0]?.parentId).toBeUndefined();
  });

  it("an unsampled parent is passed through: a non-recording span carrying the parent's own context, kept nowhere", () => {
    const { store, exporter, tracer } = recorder();
    const parent = { traceId, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE, isRemote: true, traceState: new TraceState('k=v') };
    const span = tracer('micro-faults').startChild('x/inbound', SpanKind.INTERNAL, parent);
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext()).toEqual(parent);
    span.end();
    expect(store.size()).toEqual({ traces: 0, spans: 0 });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('records the share of new traces its root sampler keeps, and follows a sampled parent whatever it says', () => {
    const store = new TraceStore();
    const none = new RecordingTracer('micro-api', store, () => false);
    const root = none.startChild('GET /x', SpanKind.SERVER, undefined);
    expect(root.isRecording()).toBe(false);
    expect(root.spanContext()).toMatchObject({ traceFlags: TraceFlags.NONE });
    expect(root.spanContext().traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    expect(root.spanContext().spanId).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
    root.end();
    const child = none.startChild('GET /y', SpanKind.SERVER, { traceId, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(child.isRecording()).toBe(true);
    child.end();
    expect(store.size()).toEqual({ traces: 1, spans: 1 });
    // the sampler is asked with the new trace's id
    const asked: string[] = [];
    const all = new RecordingTracer('micro-api', store, (id) => (asked.push(id), true));
    const kept = all.startChild('GET /z', SpanKind.SERVER, undefined);
    expect(asked).toEqual([kept.spanContext().traceId]);
    expect(kept.isRecording()).toBe(true);
  });

  it('keeps the SDK rules: first error status wins, nothing changes after end, bad attribute values dropped', () => {
    const { store, tracer } = recorder();
    const span = tracer('micro-api').startSpan('op', { attributes: { a: 1, bad: undefined } }, trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: 'b7ad6b7169203331', traceFlags: 1 }));
    span.setAttribute('b', 'x').setAttribute('', 'no').setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    span.setAttribute('obj', { not: 'a value' } as never);
    span.end();
    span.setAttribute('late', true).setStatus({ code: SpanStatusCode.OK });
    span.end();
    const [record] = store.get(traceId)!.spans;
    expect(record).toMatchObject({ attributes: { a: 1, b: 'x' }, error: 'boom' });
    expect(Object.keys(record!.attributes)).toEqual(['a', 'b']);
    expect(store.size().spans).toBe(1);
  });

  it('takes the attributes a span starts with as its own, under the same rules as setAttribute', () => {
    const { store, tracer } = recorder();
    const parent = { traceId, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true };
    const given = { 'micro.link': 'greeter-srv-1/inbound', n: 3, none: undefined, obj: { not: 'a value' }, '': 'no key', list: ['a', 'b'] } as never;
    const span = tracer('micro-faults').startChild('greeter-srv-1/inbound', SpanKind.INTERNAL, parent, given);
    span.setAttribute('http.response.status_code', 200).setAttribute('n', 4);
    span.end();
    const [record] = store.get(traceId)!.spans;
    expect(record!.attributes).toEqual({ 'micro.link': 'greeter-srv-1/inbound', n: 4, list: ['a', 'b'], 'http.response.status_code': 200 });
    // the given ones count toward the SDK's limit of 128
    const many: Record<string, number> = {};
    for (let i = 0; i < 130; i++) many[`k${i}`] = i;
    const full = tracer('micro-api').startChild('GET /many', SpanKind.SERVER, { ...parent, spanId: 'c7ad6b7169203332' }, many);
    full.setAttribute('one-more', 1).setAttribute('k0', -1);
    full.end();
    const kept = store.get(traceId)!.spans.find((s) => s.name === 'GET /many')!;
    expect(Object.keys(kept.attributes)).toHaveLength(128);
    expect(kept.attributes).toMatchObject({ k0: -1, k127: 127 });
    expect(kept.attributes).not.toHaveProperty('k128');
    expect(kept.attributes).not.toHaveProperty('one-more');
  });

  it('exports over the SDK exactly what the store keeps: ids, parent, kind, times, attributes, events, status, resource', async () => {
    const { store, exporter, sdk, tracer } = recorder();
    const parent = { traceId, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true };
    const link = tracer('micro-faults').startChild('greeter-srv-1/inbound', SpanKind.INTERNAL, parent);
    link.setAttributes({ 'micro.link': 'greeter-srv-1/inbound', 'micro.selector.ejected': ['a', 'b'] });
    link.addEvent('toxic latency', { 'micro.toxic.latency': 40 });
    link.setStatus({ code: SpanStatusCode.ERROR, message: 'HTTP 503' });
    link.end();
    await sdk.flush();
    const [exported] = exporter.getFinishedSpans();
    const [kept] = store.get(traceId)!.spans;
    expect(exported!.spanContext()).toMatchObject({ traceId, spanId: kept!.spanId, traceFlags: TraceFlags.SAMPLED });
    expect(exported!.parentSpanContext).toMatchObject({ spanId: 'b7ad6b7169203331', isRemote: true });
    expect(exported!.kind).toBe(SpanKind.INTERNAL);
    expect(exported!.name).toBe(kept!.name);
    expect(hrTimeToMilliseconds(exported!.startTime)).toBeCloseTo(kept!.startMs, 3);
    expect(hrTimeToMilliseconds(exported!.duration)).toBeCloseTo(kept!.durationMs, 3);
    expect(exported!.attributes).toEqual(kept!.attributes);
    expect(exported!.events.map((e) => ({ name: e.name, atMs: hrTimeToMilliseconds(e.time) - kept!.startMs, attributes: e.attributes }))).toEqual(
      kept!.events.map((e) => ({ ...e, atMs: expect.closeTo(e.atMs, 3) })),
    );
    expect(exported!.status).toEqual({ code: SpanStatusCode.ERROR, message: kept!.error });
    expect(exported!.resource.attributes).toMatchObject({ 'service.name': 'micro-faults', 'service.namespace': 'test-topology' });
    await sdk.shutdown();
  });
});
