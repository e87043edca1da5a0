import { describe, expect, it } from 'vitest';
import { sparkline } from './sparkline.ts';

describe('sparkline', () => {
  it('scales to the largest shown sample, newest on the right', () => {
    expect(sparkline([0, 1, 2, 4, 8], 5)).toBe('▁▂▃▅█');
  });
  it('right-aligns fewer samples than the width and shows a baseline when idle', () => {
    expect(sparkline([0, 0], 4)).toBe('  ▁▁');
    expect(sparkline([], 3)).toBe('   ');
  });
  it('keeps only the last `width` samples and ignores non-finite values', () => {
    expect(sparkline([100, 1, 1, Number.NaN], 3)).toBe('██▁');
    expect(sparkline([1, 2], 0)).toBe('');
  });
});
