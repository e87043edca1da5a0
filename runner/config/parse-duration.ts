/**
 * Durations in config files: `300ms`, `5s`, `1m`, `1m30s`, `1h`, or a plain number of milliseconds.
 * DURATION_PATTERN is shared with the zod schema so the JSON Schema and the parser agree.
 */
export const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?(ms|s|m|h)\\s*)+$';
export const DURATION_HINT = 'expected a duration such as 300ms, 5s, 1m30s, or a number of milliseconds';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds (rounded), or undefined when the text is not a duration. Never throws. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  if (!new RegExp(DURATION_PATTERN).test(value)) return undefined;
  let total = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(total);
}

/** A duration the schema already accepted, or `fallback` when absent (or, never in practice, unparsable). */
export function durationMs(v: string | number | undefined, fallback: number): number {
  return v === undefined ? fallback : (parseDuration(v) ?? fallback);
}
