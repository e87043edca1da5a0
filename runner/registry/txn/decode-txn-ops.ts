import { jsonTypeName } from '../go-duration.ts';
import { parseJsonBody } from '../strict-json.ts';

/** One `api.KVTxnOp` of a `/v1/txn` body (the only op kind we apply). */
export interface KvTxnOp {
  verb: string;
  key: string;
  value: Buffer | null;
  flags: string;
  index: number;
  session: string;
}

/** A decoded `api.TxnOp`: a KV op, or one of the catalog kinds we recognise but do not apply. */
export type TxnOp = { kv: KvTxnOp } | { other: 'Node' | 'Service' | 'Check' } | { none: true };

const KV_FIELDS = ['Verb', 'Key', 'Value', 'Flags', 'Index', 'Session', 'Namespace', 'Partition'];

/**
 * Decodes a `/v1/txn` body as `lib.DecodeJSON` into `api.TxnOps` would: a JSON array of ops, unknown keys
 * rejected, keys case-insensitive, `Value` base64. Throws Error with Go's text (the route prefixes
 * `Failed to parse body: `).
 */
export function decodeTxnOps(body: string): TxnOp[] {
  const value = parseJsonBody(body);
  if (value === null) return [];
  if (!Array.isArray(value)) throw new Error(`json: cannot unmarshal ${jsonTypeName(value)} into Go value of type api.TxnOps`);
  return value.map((raw) => decodeOp(raw));
}

function decodeOp(raw: unknown): TxnOp {
  if (raw === null) return { none: true };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`json: cannot unmarshal ${jsonTypeName(raw)} into Go value of type api.TxnOp`);
  let op: TxnOp = { none: true };
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const field = ['KV', 'Node', 'Service', 'Check'].find((f) => f.toLowerCase() === k.toLowerCase());
    if (!field) throw new Error(`json: unknown field ${JSON.stringify(k)}`);
    if (v === null) continue;
    if (field === 'KV') op = { kv: decodeKv(v) };
    else if (typeof v !== 'object' || Array.isArray(v)) {
      throw new Error(`json: cannot unmarshal ${jsonTypeName(v)} into Go struct field TxnOp.${field} of type api.${field}TxnOp`);
    } else op = { other: field as 'Node' | 'Service' | 'Check' };
  }
  return op;
}

function decodeKv(raw: unknown): KvTxnOp {
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`json: cannot unmarshal ${jsonTypeName(raw)} into Go struct field TxnOp.KV of type api.KVTxnOp`);
  const op: KvTxnOp = { verb: '', key: '', value: null, flags: '0', index: 0, session: '' };
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const field = KV_FIELDS.find((f) => f.toLowerCase() === k.toLowerCase());
    if (!field) throw new Error(`json: unknown field ${JSON.stringify(k)}`);
    if (v === null) continue;
    // Go names the literal only when a number does not fit a number field ("number -1").
    const mismatch = (goType: string) =>
      new Error(`json: cannot unmarshal ${goType === 'uint64' && typeof v === 'number' ? `number ${v}` : jsonTypeName(v)} into Go struct field KVTxnOp.KV.${field} of type ${goType}`);
    switch (field) {
      case 'Verb':
      case 'Key':
      case 'Session':
      case 'Namespace':
      case 'Partition':
        if (typeof v !== 'string') throw mismatch(field === 'Verb' ? 'api.KVOp' : 'string');
        if (field === 'Verb') op.verb = v;
        else if (field === 'Key') op.key = v;
        else if (field === 'Session') op.session = v;
        break;
      case 'Flags':
      case 'Index':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw mismatch('uint64');
        if (field === 'Flags') op.flags = String(v);
        else op.index = v;
        break;
      case 'Value':
        if (typeof v !== 'string') throw mismatch('[]uint8');
        op.value = decodeBase64(v);
        break;
    }
  }
  return op;
}

// encoding/json decodes []byte with base64.StdEncoding (padded, strict alphabet).
function decodeBase64(text: string): Buffer {
  const bad = text.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) throw new Error(`illegal base64 data at input byte ${bad}`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new Error(`illegal base64 data at input byte ${Math.min(text.length, text.indexOf('=') >= 0 ? text.indexOf('=') : text.length)}`);
  }
  return Buffer.from(text, 'base64');
}
