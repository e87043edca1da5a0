/**
 * Line: the unit every pane is built from. A pane is a pure function (data, width) -> Line[]; the ink
 * components map tones to colours, and renderSnapshotText joins the plain text. Keeping the two on the same
 * lines is what makes `micro-dev status` and the dashboard agree.
 *
 * A Line must fit its width in terminal cells: builders truncate with fitLine(); all glyphs used are
 * single-cell.
 */
export type Tone = 'ok' | 'warn' | 'bad' | 'dim' | 'accent' | 'info' | 'title' | 'selected';

export interface Segment {
  text: string;
  tone?: Tone;
}

export type Line = Segment[];

export function seg(text: string, tone?: Tone): Segment {
  return tone ? { text, tone } : { text };
}

export function lineText(line: Line): string {
  return line.map((s) => s.text).join('');
}

export function lineWidth(line: Line): number {
  let n = 0;
  for (const s of line) n += s.text.length;
  return n;
}

/** Cuts a line to width cells; the last visible character becomes '…' when something was cut. */
export function fitLine(line: Line, width: number): Line {
  if (width <= 0) return [];
  if (lineWidth(line) <= width) return line;
  const out: Line = [];
  let left = width - 1;
  for (const s of line) {
    if (left <= 0) break;
    const text = s.text.slice(0, left);
    out.push({ ...s, text });
    left -= text.length;
  }
  out.push({ text: '…' });
  return out;
}

/** Pads a line with spaces to exactly width cells (cutting it when longer). */
export function padLine(line: Line, width: number): Line {
  const fitted = fitLine(line, width);
  const w = lineWidth(fitted);
  return w < width ? [...fitted, { text: ' '.repeat(width - w) }] : fitted;
}

/** A pane title: `─ Title ───────` filling the width. */
export function titleLine(title: string, width: number, extra: Line = []): Line {
  const head: Line = [seg('─ ', 'dim'), seg(title, 'title'), ...extra, seg(' ', 'dim')];
  const rest = width - lineWidth(head);
  return fitLine(rest > 0 ? [...head, seg('─'.repeat(rest), 'dim')] : head, width);
}

/** Two blocks side by side; the left one padded to leftWidth, a one-cell gutter between. */
export function sideBySide(left: Line[], right: Line[], leftWidth: number, width: number): Line[] {
  const rows = Math.max(left.length, right.length);
  const out: Line[] = [];
  for (let i = 0; i < rows; i++) {
    const l = padLine(left[i] ?? [], leftWidth);
    out.push(fitLine([...l, seg(' '), ...(right[i] ?? [])], width));
  }
  return out;
}

export function pad(text: string, width: number): string {
  if (text.length > width) return width <= 1 ? text.slice(0, width) : text.slice(0, width - 1) + '…';
  return text + ' '.repeat(width - text.length);
}

export function padStart(text: string, width: number): string {
  if (text.length > width) return text.slice(0, width);
  return ' '.repeat(width - text.length) + text;
}
