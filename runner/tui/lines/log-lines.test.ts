import { describe, expect, it } from 'vitest';
import { logLines, wrapText, type LogEntry } from './log-lines.ts';

const text = (lines: ReturnType<typeof logLines>) => lines.map((l) => l.map((s) => s.text).join('').trimEnd());
const at = new Date(2026, 11, 2, 14, 5, 9).getTime();

describe('logLines', () => {
  it('wraps a long line under its text instead of cutting it', () => {
    const long = 'SyntaxError: Expression expected at services/bad/main.ts:12:7 while loading the module for the second time';
    const entries: LogEntry[] = [{ instance: 'bad-1', stream: 'stderr', line: long, at }];
    const lines = text(logLines((i) => entries[i]!, entries.length, { width: 60, maxLines: 10 }));
    expect(lines[0]).toMatch(/Logs: all instances/);
    const body = lines.slice(1);
    expect(body.length).toBeGreaterThan(1);
    expect(body.every((l) => l.length <= 60)).toBe(true);
    expect(body[0]).toMatch(/^14:05:09 bad-1 {2}SyntaxError/);
    expect(body.slice(1).every((l) => l.startsWith(' '.repeat(16)))).toBe(true);
    // Every character is there, in order (rows break at spaces, which the row ends keep).
    expect(body.map((l, i) => (i === 0 ? l.slice(16) : l.trimStart())).join('').replace(/\s+/g, '')).toBe(long.replace(/\s+/g, ''));
  });

  it('keeps the newest rows when wrapped lines do not all fit', () => {
    const entries: LogEntry[] = [
      { instance: 'a-1', stream: 'stdout', line: 'old '.repeat(40), at },
      { instance: 'a-1', stream: 'stdout', line: 'newest', at },
    ];
    const lines = text(logLines((i) => entries[i]!, entries.length, { width: 40, maxLines: 3 }));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/newest$/);
  });
});

describe('wrapText', () => {
  it('cuts at a space near the end of a row, else hard at the width', () => {
    expect(wrapText('aaaa bbbb cccc', 10)).toEqual(['aaaa bbbb ', 'cccc']);
    expect(wrapText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    expect(wrapText('short', 10)).toEqual(['short']);
  });
});
