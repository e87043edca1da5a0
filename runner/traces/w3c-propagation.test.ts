/**
 * The traceparent values a thread wrote are read back from memory, not parsed again: the answer must be
 * exactly what OpenTelemetry's parser gives (plus `isRemote`), and any other value must still go through
 * the parser (rejections included). Random ids with a fresh seed each run, printed for a replay.
 */
import { SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { linkSpans } from './link-spans.ts';
import { RecordingTracer, type RecordedSpan } from './span-recorder.ts';
import { injectSpan, parentFromValue, rememberWritten, remoteParent, traceparentOf } from './w3c-propagation.ts';

const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31);
console.log(`w3c-propagation.test.ts seed ${seed} (SEED=${seed} to replay)`);
let state = seed;
const random = (): number => {
  state = (state * 1103515245 + 12345) % 2 ** 31;
  return state / 2 ** 31;
};
const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');

/** What the propagator's extract reads from a value: the parser's fields, marked remote. */
const parsed = (value: string) => {
  const p = parseTraceParent(value);
  return p ? { ...p, isRemote: true } : undefined;
};

const ended: RecordedSpan[] = [];
const tracer = new RecordingTracer('test', { onEnd: (span) => ended.push(span) });

describe('traceparent values this thread wrote', () => {
  it('an injected value reads back as the parser reads it, from the remembered context', () => {
    for (let i = 0; i < 200; i++) {
      const parent = { traceId: hex(32), spanId: hex(16), traceFlags: TraceFlags.SAMPLED, isRemote: true };
      const span = tracer.startChild('s', SpanKind.SERVER, parent);
      const headers: Record<string, string> = {};
      injectSpan(span, headers);
      const read = remoteParent(headers);
      expect(read).toEqual(parsed(headers['traceparent']!));
      expect(read).toEqual({ ...span.spanContext(), isRemote: true });
      // it came from memory: the same (frozen) object for every reader
      expect(Object.isFrozen(read)).toBe(true);
      expect(remoteParent(headers)).toBe(read);
      const attempt = traceparentOf(span);
      expect(parentFromValue(attempt.traceparent)).toEqual(parsed(attempt.traceparent));
    }
  });

  it('an unsampled span writes flags 00 and reads back unsampled', () => {
    const span = trace.wrapSpanContext({ traceId: hex(32), spanId: hex(16), traceFlags: TraceFlags.NONE });
    const headers: Record<string, string> = {};
    injectSpan(span, headers);
    expect(headers['traceparent']!.endsWith('-00')).toBe(true);
    expect(remoteParent(headers)).toEqual(parsed(headers['traceparent']!));
  });

  it('a value nobody here wrote goes through the parser: valid ones as it reads them, invalid ones refused', () => {
    for (let i = 0; i < 200; i++) {
      const value = `00-${hex(32)}-${hex(16)}-01`;
      const read = parentFromValue(value);
      expect(read).toEqual(parsed(value));
      expect(Object.isFrozen(read)).toBe(false);
    }
    for (const bad of [
      `00-${'0'.repeat(32)}-${hex(16)}-01`,
      `00-${hex(32)}-${'0'.repeat(16)}-01`,
      `ff-${hex(32)}-${hex(16)}-01`,
      `00-${hex(32).toUpperCase()}-${hex(16)}-01`,
      `00-${hex(31)}-${hex(17)}-01`,
    ]) {
      expect(parentFromValue(bad)).toBeUndefined();
    }
  });

  it('a remembered slot answers only its own value: one differing in any character is parsed', () => {
    const value = `00-${hex(32)}-${hex(16)}-01`;
    rememberWritten(value, { traceId: value.slice(3, 35), spanId: value.slice(36, 52), traceFlags: 1 });
    expect(Object.isFrozen(parentFromValue(value))).toBe(true);
    for (const at of [3, 20, 34, 36, 45, 48, 54]) {
      const changed = value.slice(0, at) + (value[at] === 'a' ? 'b' : 'a') + value.slice(at + 1);
      const read = parentFromValue(changed);
      expect(read).toEqual(parsed(changed));
      expect(Object.isFrozen(read)).toBe(false);
    }
  });

  it('a tracestate beside the value is kept (such a carrier is parsed, as the propagator does)', () => {
    const span = tracer.startChild('s', SpanKind.SERVER, undefined);
    const headers: Record<string, string> = {};
    injectSpan(span, headers);
    headers['tracestate'] = 'vendor=1';
    const read = remoteParent(headers)!;
    expect(read.traceState?.get('vendor')).toBe('1');
    expect({ traceId: read.traceId, spanId: read.spanId, traceFlags: read.traceFlags }).toEqual(parseTraceParent(headers['traceparent']!));
  });

  it("a link's rewrite is remembered with the caller's flags byte, and the next reader gets the link span as parent", () => {
    const links = linkSpans(tracer);
    for (const flags of ['01', '03']) {
      const callerValue = `00-${hex(32)}-${hex(16)}-${flags}`;
      const chunk = Buffer.from(`POST / HTTP/1.1\r\nHost: x\r\ntraceparent: ${callerValue}\r\n\r\n{}`);
      const exchange = links.request('srv-1/inbound', chunk, [])!;
      exchange.end({ status: 200 });
      const linkSpan = ended.at(-1)!;
      expect(linkSpan.parentSpanContext).toEqual(parsed(callerValue));
      const at = chunk.indexOf('traceparent: ') + 13;
      const rewritten = chunk.toString('latin1', at, at + 55);
      expect(rewritten).toBe(`${callerValue.slice(0, 36)}${linkSpan.spanId}-${flags}`);
      const read = parentFromValue(rewritten);
      expect(read).toEqual(parsed(rewritten));
      expect(Object.isFrozen(read)).toBe(true);
    }
  });
});
