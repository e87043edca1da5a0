import { describe, expect, it } from 'vitest';
import { linkSpans, sampledAt, traceparentOffset } from './link-spans.ts';
import { RecordingTracer } from './span-recorder.ts';
import { TraceStore } from './trace-store.ts';

const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceparentOffset', () => {
  it('finds the value in a request head, whatever the name case and spacing', () => {
    for (const name of ['traceparent', 'Traceparent', 'TraceParent'.replace('P', 'p')]) {
      const head = Buffer.from(`POST / HTTP/1.1\r\nHost: x\r\n${name}:  ${tp}\r\n\r\n{}`);
      const at = traceparentOffset(head);
      expect(head.toString('latin1', at, at + 55)).toBe(tp);
    }
  });

  it('ignores a traceparent that is not a header of this head (body, other header names, cut off)', () => {
    expect(traceparentOffset(Buffer.from(`POST / HTTP/1.1\r\nHost: x\r\n\r\ntraceparent: ${tp}`))).toBe(-1);
    expect(traceparentOffset(Buffer.from(`POST / HTTP/1.1\r\nX-Traceparent: ${tp}\r\n\r\n`))).toBe(-1);
    expect(traceparentOffset(Buffer.from(`POST / HTTP/1.1\r\ntraceparent: ${tp.slice(0, 30)}`))).toBe(-1);
  });
});

describe('linkSpans', () => {
  const head = (value: string) => Buffer.from(`POST / HTTP/1.1\r\nHost: x\r\ntraceparent: ${value}\r\nContent-Length: 2\r\n\r\n{}`);

  it('reads the sampled bit of the flags byte', () => {
    for (const [flags, sampled] of [['00', false], ['01', true], ['02', false], ['03', true], ['0a', false], ['0b', true], ['0f', true], ['0F', true], ['ff', true], ['fe', false], ['09', true], ['08', false]] as const) {
      const chunk = head(`00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-${flags}`);
      expect([flags, sampledAt(chunk, traceparentOffset(chunk))]).toEqual([flags, sampled]);
    }
  });

  it('makes a span under the caller and rewrites the parent id for a sampled request; passes an unsampled one through untouched', () => {
    const store = new TraceStore();
    const links = linkSpans(new RecordingTracer('micro-faults', store));
    const sampled = head(tp);
    const exchange = links.request('greeter-srv-1/inbound', sampled, []);
    expect(exchange).toBeDefined();
    const at = traceparentOffset(sampled);
    const rewritten = sampled.toString('latin1', at, at + 55);
    expect(rewritten).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(rewritten).not.toBe(tp);
    exchange!.end({ status: 200 });
    const [span] = store.get('4bf92f3577b34da6a3ce929d0e0e4736')!.spans;
    expect([span!.name, span!.parentId, span!.spanId, span!.kind]).toEqual(['greeter-srv-1/inbound', '00f067aa0ba902b7', rewritten.slice(36, 52), 'internal']);

    const unsampled = head('00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
    const before = Buffer.from(unsampled);
    expect(links.request('greeter-srv-1/inbound', unsampled, [])).toBeUndefined();
    expect(unsampled.equals(before)).toBe(true);
    expect(store.get('5bf92f3577b34da6a3ce929d0e0e4736')).toBeUndefined();
  });
});
