/**
 * Durations as MICRO_REGISTER_TTL / MICRO_REGISTER_INTERVAL carry them: plain seconds (`30`, as go-micro's
 * flags take them) or Go durations (`30s`, `300ms`, `1m30s`, `1.5h`). Returns milliseconds.
 */
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string, what = 'duration'): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (s === '' || matched !== s.length) {
    throw new RangeError(`${what}: invalid duration "${text}" (use seconds like 30 or a Go duration like 30s, 300ms)`);
  }
  return total;
}
