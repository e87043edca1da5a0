import { describe, expect, it } from 'vitest';
import type { SpanRecord, TraceDetail } from '../../engine/api.ts';
import { lineText, lineWidth } from './line.ts';
import { spanTree, traceListLines, waterfallLines } from './trace-lines.ts';

const T = 'ab'.repeat(16);
const span = (spanId: string, parentId: string | undefined, name: string, startMs: number, durationMs: number, over: Partial<SpanRecord> = {}): SpanRecord => ({
  traceId: T,
  spanId,
  ...(parentId ? { parentId } : {}),
  name,
  kind: 'internal',
  service: 'micro-api',
  startMs,
  durationMs,
  attributes: {},
  events: [],
  ...over,
});

const detail: TraceDetail = {
  summary: { traceId: T, name: 'GET /greeter/say/hello', startMs: 1000, durationMs: 200, spans: 3, services: ['micro-api'], failed: true, slow: false, explanation: 'greeter-srv-2/inbound: down -> call timeout' },
  spans: [
    span('c', 'b', 'greeter-srv-2/inbound', 1100, 100, {
      service: 'micro-faults',
      error: 'connection closed before an answer',
      events: [{ name: 'toxic down', atMs: 0, attributes: { 'micro.toxic.type': 'down', 'micro.toxic.stream': 'upstream' } }],
    }),
    span('a', undefined, 'GET /greeter/say/hello', 1000, 200, { kind: 'server' }),
    span('b', 'a', 'go.micro.srv.greeter/Say.Hello', 1050, 150),
  ],
  droppedSpans: 0,
};

describe('trace lines', () => {
  it('orders spans as a tree, parents first', () => {
    expect(spanTree(detail.spans).map((s) => `${s.depth}:${s.span.spanId}`)).toEqual(['0:a', '1:b', '2:c']);
  });

  it('draws a waterfall: depth, duration, a bar on the time axis, errors and toxic events under their span', () => {
    const lines = waterfallLines(detail, { width: 100 }).map(lineText);
    expect(lines[0]).toMatch(/^trace abab.* FAIL GET \/greeter\/say\/hello {2}200ms {2}3 spans/);
    expect(lines[1]).toBe('  greeter-srv-2/inbound: down -> call timeout');
    const root = lines.find((l) => l.startsWith('GET /greeter'))!;
    const link = lines.find((l) => l.startsWith('    greeter-srv-2/inbound [micro-faults]'))!;
    const bar = (l: string) => l.slice(l.indexOf('|') + 1, l.lastIndexOf('|'));
    expect(bar(root)).toMatch(/^█+$/);
    // starts half-way along the axis and runs to its end
    expect(bar(link)).toMatch(/^ {14,16}█{14,16}$/);
    expect(lines).toContain('      x connection closed before an answer');
    expect(lines).toContain('      · toxic down stream=upstream +0ms');
    for (const l of waterfallLines(detail, { width: 100 })) expect(lineWidth(l)).toBeLessThanOrEqual(100);
  });

  it('lists traces with status and explanation, marking the selected one', () => {
    const [line] = traceListLines([detail.summary], { width: 120, selected: 0 }).map(lineText);
    expect(line).toMatch(/^> \d\d:\d\d:\d\d {2}200ms FAIL {3}3 abababababab GET \/greeter\/say\/hello {2}greeter-srv-2\/inbound: down -> call timeout$/);
  });
});
