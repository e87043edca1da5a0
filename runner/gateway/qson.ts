/**
 * go-micro's qson (`util/qson`): a URL query string to a JSON document, as the rpc handler does for GET.
 *   name=John -> {"name":"John"};  a=1&b=true -> {"a":1,"b":true};  x[y]=1 -> {"x":{"y":1}};
 *   x[]=1&x[]=2 -> {"x":[1,2]};  a repeated plain key keeps the last value;  `a` (no `=`) -> error.
 */
export class QsonError extends Error {}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

type Obj = Record<string, unknown>;

function assign(target: Obj, keys: string[], value: unknown): void {
  let cur: Obj = target;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] ?? '';
    const last = i === keys.length - 1;
    const next = keys[i + 1];
    if (last) {
      cur[key] = value;
      return;
    }
    if (next === '') {
      // x[]=v appends to an array
      const arr = Array.isArray(cur[key]) ? (cur[key] as unknown[]) : [];
      arr.push(value);
      cur[key] = arr;
      return;
    }
    const child = cur[key];
    if (child === null || typeof child !== 'object' || Array.isArray(child)) cur[key] = {};
    cur = cur[key] as Obj;
  }
}

function splitKey(key: string): string[] {
  const m = /^([^[\]]*)((?:\[[^[\]]*\])*)$/.exec(key);
  if (m === null || m[2] === '') return [key];
  const rest = [...(m[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1] ?? '');
  return [m[1] ?? '', ...rest];
}

export function qsonToJson(query: string): string {
  const out: Obj = {};
  const q = query.startsWith('?') ? query.slice(1) : query;
  if (q === '') return '{}';
  for (const pair of q.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) throw new QsonError('qson: invalid url query param provided');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(pair.slice(0, eq).replaceAll('+', ' '));
      value = decodeURIComponent(pair.slice(eq + 1).replaceAll('+', ' '));
    } catch {
      throw new QsonError('qson: invalid url query param provided');
    }
    assign(out, splitKey(key), parseValue(value));
  }
  return JSON.stringify(out);
}
