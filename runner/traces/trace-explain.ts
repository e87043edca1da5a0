/**
 * explainTrace: one line that says which hop and which fault explain a failed or slow trace, built from
 * the spans micro-dev records (call attempts, the links they crossed, the toxics on those links):
 *
 *   "greeter-srv-2/inbound: down -> call timeout: context deadline exceeded -> retried on greeter-srv-1"
 *   "greeter-srv-1/inbound: latency 1000 ms -> 1003 ms"
 *
 * Pure; undefined when the spans explain nothing (no failed attempt, no fault on any link, no error).
 */
import type { SpanEventRecord, SpanRecord } from './trace-types.ts';

/** `latency 1000 ms`, `down`, `timeout 2000 ms`... from a toxic event of a link span. */
export function describeToxic(event: SpanEventRecord): string {
  const a = event.attributes;
  const type = String(a['micro.toxic.type'] ?? event.name.replace(/^toxic /, ''));
  switch (type) {
    case 'latency':
      return `latency ${a['micro.toxic.latency'] ?? 0} ms${a['micro.toxic.jitter'] ? ` ±${a['micro.toxic.jitter']}` : ''}`;
    case 'timeout':
      return `timeout ${a['micro.toxic.timeout'] ?? 0} ms`;
    case 'bandwidth':
      return `bandwidth ${a['micro.toxic.rate'] ?? 0} KB/s`;
    case 'limit_data':
      return `limit_data ${a['micro.toxic.bytes'] ?? 0} B`;
    default:
      return type;
  }
}

const linkOf = (s: SpanRecord): string | undefined => {
  const v = s.attributes['micro.link'];
  return typeof v === 'string' ? v : undefined;
};

/** What happened on the links under one span: `link: toxic, toxic` (or the link's own error). */
function linkStory(span: SpanRecord, children: Map<string, SpanRecord[]>): { text: string; instance?: string } | undefined {
  for (const child of children.get(span.spanId) ?? []) {
    const link = linkOf(child);
    if (!link) continue;
    const toxics = child.events.filter((e) => e.name.startsWith('toxic ')).map(describeToxic);
    const instance = link.split('/')[0];
    const what = toxics.length > 0 ? toxics.join(', ') : child.error;
    return what ? { text: `${link}: ${what}`, ...(instance ? { instance } : {}) } : { text: '', ...(instance ? { instance } : {}) };
  }
  return undefined;
}

export function explainTrace(spans: readonly SpanRecord[]): string | undefined {
  const children = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    if (s.parentId === undefined) continue;
    const list = children.get(s.parentId);
    if (list) list.push(s);
    else children.set(s.parentId, [s]);
  }
  const byStart = [...spans].sort((a, b) => a.startMs - b.startMs);
  const stories: string[] = [];

  // Calls: the attempts of one rpc under one parent, in order; the failed ones and the retry that followed.
  const calls = new Map<string, SpanRecord[]>();
  for (const s of byStart) {
    if (typeof s.attributes['micro.attempt'] !== 'number') continue;
    const key = `${s.parentId ?? ''} ${String(s.attributes['rpc.method'] ?? s.name)}`;
    const list = calls.get(key);
    if (list) list.push(s);
    else calls.set(key, [s]);
  }
  for (const attempts of calls.values()) {
    const parts: string[] = [];
    for (let i = 0; i < attempts.length; i++) {
      const attempt = attempts[i]!;
      const story = linkStory(attempt, children);
      if (story?.text) parts.push(story.text);
      if (attempt.error !== undefined) {
        if (!story?.text) parts.push(`${story?.instance ?? String(attempt.attributes['micro.node.id'] ?? attempt.name)}`);
        parts.push(attempt.error);
        const next = attempts[i + 1];
        if (next) parts.push(`retried on ${linkStory(next, children)?.instance ?? String(next.attributes['micro.node.id'] ?? '?')}`);
      }
    }
    if (parts.length > 0) stories.push(parts.join(' -> '));
  }
  if (stories.length > 0) return stories.slice(0, 3).join('; ');

  // No call story: a faulty link under any span (a slow trace), then any error.
  for (const s of byStart) {
    const link = linkOf(s);
    if (!link) continue;
    const toxics = s.events.filter((e) => e.name.startsWith('toxic ')).map(describeToxic);
    if (toxics.length > 0 || s.error !== undefined) {
      stories.push(`${link}: ${toxics.length > 0 ? toxics.join(', ') : ''}${s.error !== undefined ? `${toxics.length > 0 ? ' -> ' : ''}${s.error}` : ` -> ${Math.round(s.durationMs)} ms`}`);
    }
  }
  if (stories.length > 0) return stories.slice(0, 3).join('; ');
  const failed = byStart.find((s) => s.error !== undefined);
  return failed ? `${failed.name}: ${failed.error}` : undefined;
}
