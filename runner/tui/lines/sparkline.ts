const LEVELS = '▁▂▃▄▅▆▇█';

/**
 * The last `width` samples as block characters, scaled to the largest shown sample; fewer samples than
 * width are right-aligned (newest at the right edge). Zero is the lowest block so an idle gateway still
 * shows a baseline.
 */
export function sparkline(samples: readonly number[], width: number): string {
  if (width <= 0) return '';
  const shown = samples.slice(-width).map((v) => (Number.isFinite(v) && v > 0 ? v : 0));
  const max = Math.max(0, ...shown);
  const top = LEVELS.length - 1;
  const bars = shown.map((v) => LEVELS[max === 0 ? 0 : Math.round((v / max) * top)]).join('');
  return ' '.repeat(width - shown.length) + bars;
}
