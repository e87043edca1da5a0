import { describe, expect, it } from 'vitest';
import { durationMs, parseDuration } from './parse-duration.ts';

describe('parseDuration', () => {
  it.each([
    { input: '300ms', want: 300 },
    { input: '5s', want: 5_000 },
    { input: '1m', want: 60_000 },
    { input: '1m30s', want: 90_000 },
    { input: '1h', want: 3_600_000 },
    { input: '1.5s', want: 1_500 },
    { input: '2s500ms', want: 2_500 },
    { input: 250, want: 250 },
    { input: 0, want: 0 },
    { input: 1.6, want: 2 },
    { input: '5', want: undefined },
    { input: '5 sec', want: undefined },
    { input: 's', want: undefined },
    { input: '', want: undefined },
    { input: '-1s', want: undefined },
    { input: -5, want: undefined },
    { input: Number.NaN, want: undefined },
  ])('$input -> $want', ({ input, want }) => {
    expect(parseDuration(input)).toBe(want);
  });

  it('durationMs falls back only when absent', () => {
    expect(durationMs(undefined, 42)).toBe(42);
    expect(durationMs('1s', 42)).toBe(1000);
  });
});
