import { formatClock, sanitize } from './format.ts';
import { filterWords } from './instance-filter.ts';
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
  // The same words as the instance filter (instance-filter.ts): each must occur, in any order.
  const words = filterWords(o.filter);
  const picked: LogEntry[] = [];
  let skipped = 0;
  for (let i = count - 1; i >= 0 && picked.length < room; i--) {
    const e = entries(i);
    if (o.instance && e.instance !== o.instance) continue;
    if (words.length > 0) {
      const text = `${e.instance} ${e.line}`.toLowerCase();
      if (!words.every((w) => text.includes(w))) continue;
    }
    if (skipped < skip) {
      skipped++;
      continue;
    }
    picked.push(e);
  }
  picked.reverse();
  const nameWidth = Math.min(18, Math.max(6, ...picked.map((e) => e.instance.length)));
  const prefixWidth = (o.compact ? 0 : 9) + nameWidth + 1;
  // Long lines wrap under their text (nothing is cut); the newest rows win when they do not all fit.
  const body = picked.flatMap((e) => {
    const tone = e.stream === 'stderr' ? 'warn' : e.stream === 'event' ? 'accent' : undefined;
    const time = o.compact ? [] : [seg(formatClock(e.at) + ' ', 'dim')];
    const prefix = [...time, seg(pad(e.instance, nameWidth) + ' ', 'info')];
    return wrapText(sanitize(e.line), Math.max(1, o.width - prefixWidth)).map((chunk, i) =>
      fitLine([...(i === 0 ? prefix : [seg(' '.repeat(prefixWidth))]), seg(chunk, tone)], o.width),
    );
  });
  if (body.length === 0) body.push([seg(skip > 0 ? '  nothing older kept' : o.filter ? '  no lines match' : '  no logs yet', 'dim')]);
  return [title, ...body.slice(-room || body.length)].slice(0, Math.max(1, o.maxLines));
}

/** Cuts text into rows of at most `width` characters, at a space when one is near the end of the row. */
export function wrapText(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const rows: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const space = rest.lastIndexOf(' ', width);
    const cut = space > width * 0.6 ? space + 1 : width;
    rows.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) rows.push(rest);
  return rows;
}
