import { decodeGoDuration, jsonTypeName } from './go-duration.ts';

/**
 * Strict JSON decoding with Go `encoding/json` rules as Consul applies them (`DisallowUnknownFields`):
 * keys match field names case-insensitively (plus snake_case aliases), unknown keys and wrong types fail
 * with Go's error text, `null` leaves the zero value. Errors are plain Error with Go's message; the caller
 * prefixes `Request decode failed: `.
 */
export type FieldKind =
  | 'string'
  | 'int'
  | 'bool'
  | 'duration'
  | 'stringArray'
  | 'stringMap'
  | 'headerMap'
  | 'any'
  | { object: StructSchema }
  | { array: StructSchema }
  | { map: StructSchema };

export interface FieldSpec {
  kind: FieldKind;
  aliases?: string[];
}

export interface StructSchema {
  /** Go type name, for error texts. */
  name: string;
  fields: Record<string, FieldSpec>;
}

export type Decoded = Record<string, unknown>;

/** Parses a request body as JSON with Go-like error texts. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new Error('EOF');
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    if (/end of JSON input|Unterminated/i.test(msg)) throw new Error('unexpected EOF', { cause: e });
    const pos = /position (\d+)/.exec(msg);
    const ch = pos ? text[Number(pos[1])] : /Unexpected token '(.)'/.exec(msg)?.[1];
    if (ch !== undefined) throw new Error(`invalid character '${ch}' looking for beginning of value`, { cause: e });
    throw new Error('invalid character looking for beginning of value', { cause: e });
  }
}

/** Decodes a JSON value into a struct: returns only the fields present, keyed by canonical name. */
export function decodeStruct(value: unknown, schema: StructSchema, path = ''): Decoded {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`json: cannot unmarshal ${jsonTypeName(value)} into Go value of type ${path ? `${schema.name}` : `structs.${schema.name}`}`);
  }
  const lookup = new Map<string, string>();
  for (const [name, spec] of Object.entries(schema.fields)) {
    lookup.set(name.toLowerCase(), name);
    for (const a of spec.aliases ?? []) lookup.set(a.toLowerCase(), name);
  }
  const out: Decoded = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const name = lookup.get(key.toLowerCase());
    if (!name) throw new Error(`json: unknown field ${JSON.stringify(key)}`);
    if (raw === null) continue;
    out[name] = decodeField(raw, schema.fields[name].kind, `${schema.name}.${path}${name}`);
  }
  return out;
}

function decodeField(raw: unknown, kind: FieldKind, field: string): unknown {
  const mismatch = (goType: string) =>
    new Error(`json: cannot unmarshal ${jsonTypeName(raw)} into Go struct field ${field} of type ${goType}`);
  if (typeof kind === 'object') {
    if ('object' in kind) return decodeStruct(raw, kind.object, `${field.split('.').slice(1).join('.')}.`);
    if ('array' in kind) {
      if (!Array.isArray(raw)) throw mismatch(`[]structs.${kind.array.name}`);
      return raw.map((item) => decodeStruct(item, kind.array, `${field.split('.').slice(1).join('.')}.`));
    }
    if (!isPlainObject(raw)) throw mismatch(`map[string]structs.${kind.map.name}`);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, decodeStruct(v, kind.map, `${field}.`)]));
  }
  switch (kind) {
    case 'string':
      if (typeof raw !== 'string') throw mismatch('string');
      return raw;
    case 'int':
      if (typeof raw !== 'number') throw mismatch('int');
      if (!Number.isInteger(raw)) throw new Error(`json: cannot unmarshal number ${raw} into Go struct field ${field} of type int`);
      return raw;
    case 'bool':
      if (typeof raw !== 'boolean') throw mismatch('bool');
      return raw;
    case 'duration':
      if (typeof raw !== 'string' && typeof raw !== 'number') throw mismatch('time.Duration');
      return decodeGoDuration(raw);
    case 'stringArray':
      if (!Array.isArray(raw)) throw mismatch('[]string');
      return raw.map((s) => {
        if (typeof s !== 'string') throw new Error(`json: cannot unmarshal ${jsonTypeName(s)} into Go struct field ${field} of type string`);
        return s;
      });
    case 'stringMap':
      if (!isPlainObject(raw)) throw mismatch('map[string]string');
      for (const v of Object.values(raw)) {
        if (typeof v !== 'string' && v !== null) throw new Error(`json: cannot unmarshal ${jsonTypeName(v)} into Go struct field ${field} of type string`);
      }
      return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v ?? '']));
    case 'headerMap':
      if (!isPlainObject(raw)) throw mismatch('map[string][]string');
      return Object.fromEntries(
        Object.entries(raw).map(([k, v]) => {
          if (v === null) return [k, []];
          if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
            throw new Error(`json: cannot unmarshal ${jsonTypeName(v)} into Go struct field ${field} of type []string`);
          }
          return [k, v];
        }),
      );
    case 'any':
      return raw;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
