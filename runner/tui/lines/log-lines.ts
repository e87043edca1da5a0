import { formatClock, sanitize } from './format.ts';
import { fitLine, pad, seg, titleLine, type Line } from './line.ts';

export interface LogEntry {
  instance: string;
  /** stdout | stderr | event (engine messages shown among the logs). */
  stream: string;
  line: string;
  at: number;
}

export interface LogLinesOptions {
  width: number;
  maxLines: number;
  /** Only this instance's lines (undefined = all). */
  instance?: string;
  filter?: string;
  compact?: boolean;
  /** Matching lines to skip from the newest end (scrollback); 0 = follow. */
  skip?: number;
}

/**
 * The newest entries that match, oldest first, at most maxLines including the title. `entries` is walked
 * from the end so a large buffer costs only what is shown.
 */
export function logLines(entries: (i: number) => LogEntry, count: number, o: LogLinesOptions): Line[] {
  const scope = o.instance ?? 'all instances';
  const skip = Math.max(0, o.skip ?? 0);
  const extra = [
    ...(o.filter ? [seg(` filter "${o.filter}"`, 'warn')] : []),
    ...(skip > 0 ? [seg(` scrolled back ${skip} (End follows)`, 'warn')] : []),
  ];
  const title = titleLine(`Logs: ${scope}`, o.width, extra);
  const room = Math.max(0, o.maxLines - 1);
  const needle = o.filter?.toLowerCase();
  const picked: LogEntry[] = [];
  let skipped = 0;
  for (let i = count - 1; i >= 0 && picked.length < room; i--) {
    const e = entries(i);
    if (o.instance && e.instance !== o.instance) continue;
    if (needle && !`${e.instance} ${e.line}`.toLowerCase().includes(needle)) continue;
    if (skipped < skip) {
      skipped++;
      continue;
    }
    picked.push(e);
  }
  picked.reverse();
  const nameWidth = Math.min(18, Math.max(6, ...picked.map((e) => e.instance.length)));
  const body = picked.map((e) => {
    const tone = e.stream === 'stderr' ? 'warn' : e.stream === 'event' ? 'accent' : undefined;
    const time = o.compact ? [] : [seg(formatClock(e.at) + ' ', 'dim')];
    return fitLine([...time, seg(pad(e.instance, nameWidth) + ' ', 'info'), seg(sanitize(e.line), tone)], o.width);
  });
  if (body.length === 0) body.push([seg(skip > 0 ? '  nothing older kept' : o.filter ? '  no lines match' : '  no logs yet', 'dim')]);
  return [title, ...body].slice(0, Math.max(1, o.maxLines));
}
