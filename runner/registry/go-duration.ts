/**
 * Go `time.Duration` on the wire: Consul accepts a duration string ("1m35s", "300ms", "1.5h") or a JSON
 * number of nanoseconds. Everything inside the registry is milliseconds.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration string to milliseconds; throws an Error with Go's text on failure. */
export function parseGoDuration(text: string): number {
  const quoted = JSON.stringify(text);
  if (text === '') throw new Error(`time: invalid duration ${quoted}`);
  let rest = text;
  let sign = 1;
  if (rest[0] === '-' || rest[0] === '+') {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`time: invalid duration ${quoted}`);
  let total = 0;
  // Go's time.ParseDuration: a number, then every following non-digit, non-dot character is the unit.
  const num = /^(\d+\.?\d*|\.\d+)/;
  while (rest !== '') {
    const m = num.exec(rest);
    if (!m) throw new Error(`time: invalid duration ${quoted}`);
    rest = rest.slice(m[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    rest = rest.slice(unit.length);
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`);
    const factor = UNIT_MS[unit];
    if (factor === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    total += Number(m[1]) * factor;
  }
  return sign * total;
}

/** Decodes a JSON duration field: string (Go syntax) or number (nanoseconds). */
export function decodeGoDuration(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('json: cannot unmarshal number into Go value of type time.Duration');
    return value / 1e6;
  }
  if (typeof value === 'string') return parseGoDuration(value);
  if (value === null) return 0;
  throw new Error(`json: cannot unmarshal ${jsonTypeName(value)} into Go value of type time.Duration`);
}

/** Formats milliseconds as Go's Duration.String() does ("1m30s", "300ms", "0s"). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out: string;
  if (rest < 1000) {
    out = `${trimNumber(rest)}ms`;
  } else {
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = rest / 1000;
    out = `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${trimNumber(s)}s`;
  }
  return neg ? `-${out}` : out;
}

function trimNumber(n: number): string {
  return String(Number(n.toFixed(9)));
}

export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}
