/**
 * Ports of the Go standard-library helpers the micro resolvers depend on, so routes resolve exactly as
 * micro's: `path.Clean` and `strings.Title`.
 */

/** Go `path.Clean`: collapses `//`, `.` and `..`; "" becomes "."; never ends with `/` except the root. */
export function goPathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

function isSeparator(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  if (c <= 0x7f) {
    return !((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95);
  }
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

/** Go `strings.Title`: upper-cases each letter that follows a separator; never lower-cases. */
export function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

/** micro's `Camel`: split on `-`, Title each piece, concatenate. */
export function camel(s: string): string {
  return s.split('-').map(goTitle).join('');
}
