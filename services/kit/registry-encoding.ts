/**
 * go-micro's Consul tag encoding (`gm@v1.10.0:registry/consul/encoding.go`): node metadata, endpoints and
 * version travel as Consul tags, because old Consul had no service Meta.
 *
 *   metadata {k:v}  -> one tag per key  t-<hex(zlib(json({k:v})))>
 *   endpoint        -> one tag each     e-<hex(zlib(json(endpoint)))>
 *   version         -> one tag          v-<hex(zlib(version))>
 *
 * Legacy plain tags `t=<json>`, `e=<json>`, `v=<text>` are decoded too; per kind only the first style seen
 * is used, as in go-micro.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import type { Endpoint, Value } from './types.ts';
import { goJson } from './go-json.ts';

export function encodeTagValue(text: string): string {
  return deflateSync(Buffer.from(text, 'utf8')).toString('hex');
}

// Decoded tag values by their hex: every instance of a service carries the same endpoint, metadata and
// version tags, and a node cache decodes every node of the service on each change. With 1,000 instances
// that was thousands of zlib inflates per change, the largest part of a watcher's CPU. Cleared when full.
const decoded = new Map<string, string | undefined>();
const DECODED_MAX = 4096;

/** Returns undefined for anything that is not hex(zlib(...)), like Go's decode returning nil. */
export function decodeTagValue(hex: string): string | undefined {
  if (decoded.has(hex)) return decoded.get(hex);
  let text: string | undefined;
  if (hex.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(hex)) {
    try {
      text = inflateSync(Buffer.from(hex, 'hex')).toString('utf8');
    } catch {
      text = undefined;
    }
  }
  if (decoded.size >= DECODED_MAX) decoded.clear();
  decoded.set(hex, text);
  return text;
}

/** Go marshals a registry.Endpoint with every field present (nil pointers as null). */
function endpointForWire(e: Endpoint): unknown {
  return {
    name: e.name,
    request: e.request ? valueForWire(e.request) : null,
    response: e.response ? valueForWire(e.response) : null,
    metadata: e.metadata ?? {},
  };
}

function valueForWire(v: Value): unknown {
  return { name: v.name, type: v.type, values: v.values && v.values.length ? v.values.map(valueForWire) : null };
}

export function encodeTags(metadata: Record<string, string>, endpoints: Endpoint[], version: string): string[] {
  const tags: string[] = [];
  for (const [k, v] of Object.entries(metadata)) tags.push('t-' + encodeTagValue(goJson({ [k]: v })));
  for (const e of endpoints) tags.push('e-' + encodeTagValue(goJson(endpointForWire(e))));
  tags.push('v-' + encodeTagValue(version));
  return tags;
}

export interface DecodedTags {
  metadata: Record<string, string>;
  endpoints: Endpoint[];
  version: string;
}

export function decodeTags(tags: readonly string[]): DecodedTags {
  const metadata: Record<string, string> = {};
  const endpoints: Endpoint[] = [];
  let version = '';
  const style: Record<string, string> = {};
  for (const tag of tags) {
    if (tag.length < 2) continue;
    const kind = tag[0];
    const sep = tag[1];
    if ((kind !== 't' && kind !== 'e' && kind !== 'v') || (sep !== '-' && sep !== '=')) continue;
    if (style[kind] && style[kind] !== sep) continue;
    const text = sep === '-' ? decodeTagValue(tag.slice(2)) : tag.slice(2);
    if (text === undefined) continue;
    style[kind] = sep;
    if (kind === 'v') {
      version = text;
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    if (!parsed || typeof parsed !== 'object') continue;
    if (kind === 't') {
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
        if (typeof v === 'string') metadata[k] = v;
      }
    } else {
      const e = parsed as Partial<Endpoint>;
      if (typeof e.name !== 'string') continue;
      endpoints.push({
        name: e.name,
        ...(e.request ? { request: e.request } : {}),
        ...(e.response ? { response: e.response } : {}),
        metadata: e.metadata && typeof e.metadata === 'object' ? e.metadata : {},
      });
    }
  }
  return { metadata, endpoints, version };
}
