/**
 * Trace panes as lines: a list of recorded traces, and the waterfall of one. Shared by the dashboard's
 * traces pane and `micro-dev traces` / `micro-dev trace ID` (which print the same lines without colour).
 *
 *   waterfall:  name (indented by depth) [service]      duration  |    ██████          |
 *                 · toxic latency latency=150 stream=downstream +0ms
 */
import type { SpanRecord, TraceDetail, TraceSummary } from '../../engine/api.ts';
import { formatClock, formatDuration, sanitize } from './format.ts';
import { fitLine, pad, padStart, seg, type Line } from './line.ts';

function mark(t: TraceSummary): Line[number] {
  return t.failed ? seg('FAIL', 'bad') : t.slow ? seg('SLOW', 'warn') : seg('ok  ', 'ok');
}

/** One line per trace, newest first as given: time, duration, status, spans, id, name, explanation. */
export function traceListLines(traces: readonly TraceSummary[], o: { width: number; selected?: number; idWidth?: number }): Line[] {
  const idWidth = o.idWidth ?? 12;
  return traces.map((t, i) => {
    const line: Line = [
      seg(i === o.selected ? '> ' : '  ', i === o.selected ? 'selected' : undefined),
      seg(`${formatClock(t.startMs)} `, 'dim'),
      seg(padStart(formatDuration(t.durationMs), 6) + ' '),
      mark(t),
      seg(` ${padStart(String(t.spans), 3)} `, 'dim'),
      seg(`${t.traceId.slice(0, idWidth)} `, 'accent'),
      seg(sanitize(t.name)),
      ...(t.explanation ? [seg(`  ${sanitize(t.explanation)}`, t.failed ? 'bad' : 'warn')] : []),
    ];
    return fitLine(line, o.width);
  });
}

/** Spans in tree order (parents before children, siblings by start), with their depth. */
export function spanTree(spans: readonly SpanRecord[]): { span: SpanRecord; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, SpanRecord[]>();
  const roots: SpanRecord[] = [];
  for (const s of [...spans].sort((a, b) => a.startMs - b.startMs)) {
    if (s.parentId !== undefined && ids.has(s.parentId)) {
      const list = children.get(s.parentId);
      if (list) list.push(s);
      else children.set(s.parentId, [s]);
    } else roots.push(s);
  }
  const out: { span: SpanRecord; depth: number }[] = [];
  const walk = (s: SpanRecord, depth: number) => {
    out.push({ span: s, depth });
    for (const c of children.get(s.spanId) ?? []) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return out;
}

function eventText(e: SpanRecord['events'][number]): string {
  const attrs = Object.entries(e.attributes)
    .filter(([k]) => k !== 'micro.toxic.type' && k !== 'micro.toxic.name' && k !== 'micro.toxic.toxicity')
    .map(([k, v]) => `${k.replace(/^micro\.toxic\./, '').replace(/^micro\./, '')}=${v}`);
  return `${e.name}${attrs.length ? ' ' + attrs.join(' ') : ''} +${formatDuration(e.atMs)}`;
}

/** The waterfall of one trace: a header, its explanation, then one line per span (+ its events). */
export function waterfallLines(trace: TraceDetail, o: { width: number; events?: boolean }): Line[] {
  const { summary } = trace;
  const width = Math.max(40, o.width);
  const bar = Math.max(10, Math.floor(width * 0.3));
  const label = width - bar - 10;
  const total = Math.max(summary.durationMs, 0.001);
  const out: Line[] = [
    fitLine(
      [
        seg(`trace ${summary.traceId} `, 'accent'),
        mark(summary),
        seg(` ${sanitize(summary.name)}  ${formatDuration(summary.durationMs)}  ${summary.spans} spans  ${formatClock(summary.startMs)}`),
        ...(trace.droppedSpans > 0 ? [seg(`  (${trace.droppedSpans} spans dropped)`, 'warn')] : []),
      ],
      width,
    ),
  ];
  if (summary.explanation) out.push(fitLine([seg('  '), seg(sanitize(summary.explanation), summary.failed ? 'bad' : 'warn')], width));
  for (const { span, depth } of spanTree(trace.spans)) {
    const from = Math.min(bar - 1, Math.floor(((span.startMs - summary.startMs) / total) * bar));
    const len = Math.max(1, Math.min(bar - from, Math.round((span.durationMs / total) * bar)));
    const name = `${'  '.repeat(Math.min(depth, 12))}${sanitize(span.name)} [${span.service}]`;
    out.push([
      seg(pad(name, label), span.error !== undefined ? 'bad' : undefined),
      seg(padStart(formatDuration(span.durationMs), 7) + ' '),
      seg('|', 'dim'),
      seg(' '.repeat(from)),
      seg('█'.repeat(len), span.error !== undefined ? 'bad' : span.service === 'micro-faults' ? 'info' : 'ok'),
      seg(' '.repeat(bar - from - len)),
      seg('|', 'dim'),
    ]);
    const indent = '  '.repeat(Math.min(depth, 12) + 1);
    if (span.error !== undefined) out.push(fitLine([seg(indent), seg(`x ${sanitize(span.error)}`, 'bad')], width));
    if (o.events !== false) {
      for (const e of span.events) out.push(fitLine([seg(indent), seg(`· ${sanitize(eventText(e))}`, e.name.startsWith('toxic') ? 'warn' : 'dim')], width));
    }
  }
  return out;
}
