/**
 * The traceparent values a thread wrote are read back from memory, not parsed again: the answer must be
 * exactly what OpenTelemetry's parser gives (plus `isRemote`), and any other value must still go through
 * the parser (rejections included). Random ids with a fresh seed each run, printed for a replay.
 */
import { ROOT_CONTEXT, SpanKind, TraceFlags, defaultTextMapSetter, trace, type Span } from '@opentelemetry/api';
import { TraceState, parseTraceParent } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { linkSpans } from './link-spans.ts';
import { RecordingTracer, type RecordedSpan } from './span-recorder.ts';
import { injectSpan, parentFromValue, propagator, rememberWritten, remoteParent, traceparentOf } from './w3c-propagation.ts';

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

/**
 * Whether a value is answered from memory: a remembered value's context is the same object on every read,
 * the parser makes a new one each time.
 */
const fromMemory = (value: string): boolean => {
  const first = parentFromValue(value);
  return first !== undefined && parentFromValue(value) === first;
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
      // it came from memory: the same object for every reader
      expect(remoteParent(headers)).toBe(read);
      expect(fromMemory(headers['traceparent']!)).toBe(true);
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
      expect(fromMemory(value)).toBe(false);
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
    expect(fromMemory(value)).toBe(true);
    for (const at of [3, 20, 34, 36, 45, 48, 54]) {
      const changed = value.slice(0, at) + (value[at] === 'a' ? 'b' : 'a') + value.slice(at + 1);
      const read = parentFromValue(changed);
      expect(read).toEqual(parsed(changed));
      expect(fromMemory(changed)).toBe(false);
    }
  });

  it('remembers a value for 256 to 512 writes, then forgets it (read back, it is parsed), so what it keeps dies young', () => {
    /** A value whose span id ends in `last2` (the slot is chosen by those two hex digits). */
    const remember = (last2 = hex(2)) => {
      const value = `00-${hex(32)}-${hex(14)}${last2}-01`;
      rememberWritten(value, { traceId: value.slice(3, 35), spanId: value.slice(36, 52), traceFlags: 1 });
      return value;
    };
    const first = remember('00');
    // 255 more writes, none into first's slot: whichever generation it is in now, it is still there
    for (let slot = 1; slot < 256; slot++) remember(slot.toString(16).padStart(2, '0'));
    expect(fromMemory(first)).toBe(true);
    // 512 writes later it is gone whatever its slot: both generations were emptied since
    for (let i = 0; i < 512; i++) remember(((i % 255) + 1).toString(16).padStart(2, '0'));
    const read = parentFromValue(first);
    expect(read).toEqual(parsed(first));
    expect(fromMemory(first)).toBe(false);
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
      expect(fromMemory(rewritten)).toBe(true);
    }
  });
});

describe("a child's value derived from its parent's", () => {
  /** What OpenTelemetry's propagator writes for a span: the reference the derived value must equal. */
  const injected = (span: Span): Record<string, string> => {
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    return carrier;
  };

  it('is exactly what the propagator writes, for sampled and unsampled parents, and reads back as the parser reads it', () => {
    for (let i = 0; i < 200; i++) {
      const flags = i % 2 === 0 ? '01' : '00';
      const parentValue = `00-${hex(32)}-${hex(16)}-${flags}`;
      const span = tracer.startChild('s', SpanKind.SERVER, parentFromValue(parentValue));
      const headers: Record<string, string> = {};
      injectSpan(span, headers, parentValue);
      expect(headers).toEqual(injected(span));
      // remembered: the next hop reads it from memory, with the parser's answer
      expect(remoteParent(headers)).toEqual(parsed(headers['traceparent']!));
      expect(fromMemory(headers['traceparent']!)).toBe(true);
      const attempt = tracer.startChild('a', SpanKind.CLIENT, remoteParent(headers));
      const value = traceparentOf(attempt, headers['traceparent']);
      expect(value).toEqual(injected(attempt));
      expect(fromMemory(value.traceparent)).toBe(true);
    }
  });

  it("a recorded span with no parent value to derive from (a new trace's first span) gets exactly what the propagator writes, remembered", () => {
    for (let i = 0; i < 200; i++) {
      const parent = i % 2 === 0 ? undefined : { traceId: hex(32), spanId: hex(16), traceFlags: TraceFlags.SAMPLED, isRemote: true };
      const span = tracer.startChild('s', SpanKind.SERVER, parent);
      const headers: Record<string, string> = {};
      injectSpan(span, headers);
      expect(headers).toEqual(injected(span));
      expect(fromMemory(headers['traceparent']!)).toBe(true);
      const attempt = tracer.startChild('a', SpanKind.CLIENT, parent);
      expect(traceparentOf(attempt)).toEqual(injected(attempt));
    }
    // with a trace state the propagator writes it (and both headers)
    const stated = tracer.startChild('s', SpanKind.SERVER, { traceId: hex(32), spanId: hex(16), traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: new TraceState('vendor=1') });
    const headers: Record<string, string> = {};
    injectSpan(stated, headers);
    expect(headers).toEqual(injected(stated));
    expect(headers['tracestate']).toBe('vendor=1');
    expect(traceparentOf(stated)).toEqual(injected(stated));
  });

  it('is not derived when the parent value cannot give it: other flag bits, a tracestate, another version, another trace', () => {
    const cases: [string, Record<string, string>][] = [
      [`00-${hex(32)}-${hex(16)}-03`, {}],
      [`00-${hex(32)}-${hex(16)}-01`, { tracestate: 'vendor=1' }],
      [`01-${hex(32)}-${hex(16)}-01`, {}],
      [`00-${hex(32)}-${hex(16)}-01-extra`, {}],
    ];
    for (const [parentValue, extra] of cases) {
      const span = tracer.startChild('s', SpanKind.SERVER, remoteParent({ traceparent: parentValue, ...extra }));
      const headers: Record<string, string> = {};
      injectSpan(span, headers, parentValue);
      expect(headers).toEqual(injected(span));
      expect(traceparentOf(span, parentValue)).toEqual(injected(span));
    }
    // a value of another trace (the caller passed the wrong one): the span's own context is written
    const span = tracer.startChild('s', SpanKind.SERVER, undefined);
    const other = `00-${hex(32)}-${hex(16)}-01`;
    expect(traceparentOf(span, other)).toEqual(injected(span));
  });
});
