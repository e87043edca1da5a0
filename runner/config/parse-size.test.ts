import { describe, expect, it } from 'vitest';
import { parseSize } from './parse-size.ts';

describe('parseSize', () => {
  it.each([
    { input: '10MiB', want: 10 * 1024 * 1024 },
    { input: '512KiB', want: 512 * 1024 },
    { input: '1GiB', want: 1024 ** 3 },
    { input: '100KB', want: 100_000 },
    { input: '2MB', want: 2_000_000 },
    { input: '64B', want: 64 },
    { input: '1.5KiB', want: 1536 },
    { input: '10 MiB', want: 10 * 1024 * 1024 },
    { input: 1024, want: 1024 },
    { input: '10mb', want: undefined },
    { input: '10', want: undefined },
    { input: 'MiB', want: undefined },
    { input: -1, want: undefined },
  ])('$input -> $want', ({ input, want }) => {
    expect(parseSize(input)).toBe(want);
  });
});
