import { describe, expect, it } from 'vitest';
import { decodeGoDuration, formatGoDuration, parseGoDuration } from './go-duration.ts';

describe('Go durations', () => {
  it.each([
    ['1m35s', 95_000],
    ['300000ms', 300_000],
    ['1.5h', 5_400_000],
    ['10s', 10_000],
    ['0', 0],
    ['-2s', -2000],
    ['1h2m3.5s', 3_723_500],
    ['250us', 0.25],
  ])('parses %s', (text, ms) => expect(parseGoDuration(text)).toBe(ms));

  it.each([
    ['5 s', 'time: unknown unit " s" in duration "5 s"'],
    ['5', 'time: missing unit in duration "5"'],
    ['', 'time: invalid duration ""'],
    ['abc', 'time: invalid duration "abc"'],
    ['5x', 'time: unknown unit "x" in duration "5x"'],
  ])('rejects %j with Go text', (text, msg) => expect(() => parseGoDuration(text)).toThrow(msg));

  it('reads JSON numbers as nanoseconds', () => expect(decodeGoDuration(90_000_000_000)).toBe(90_000));

  it.each([
    [0, '0s'],
    [300, '300ms'],
    [10_000, '10s'],
    [90_000, '1m30s'],
    [3_723_500, '1h2m3.5s'],
  ])('formats %d ms as %s', (ms, text) => expect(formatGoDuration(ms)).toBe(text));
});
