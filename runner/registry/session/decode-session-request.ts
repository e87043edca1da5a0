import { badRequest } from '../consul-http-error.ts';
import { parseGoDuration, jsonTypeName } from '../go-duration.ts';
import { parseJsonBody } from '../strict-json.ts';
import type { SessionRequest } from './session-store.ts';

/** Below this many nanoseconds a LockDelay number is taken as seconds (`lockDelayMinThreshold`). */
const LOCK_DELAY_MIN_THRESHOLD_NS = 1000;

/**
 * Decodes a `PUT /v1/session/create` body as `structs.Session.UnmarshalJSON` does, then applies the
 * agent's defaults (this node, `serfHealth`, 15 s lock-delay, release) and `fixupEmptySessionChecks`.
 * Session's custom unmarshaller uses plain `json.Unmarshal`, so unknown keys are ignored; wrong types
 * fail with Go's text. Errors are 400 `Request decode failed: ...`.
 */
export function decodeSessionRequest(body: string, nodeName: string): SessionRequest {
  const req: SessionRequest = {
    name: '',
    node: nodeName,
    lockDelayMs: 15_000,
    behavior: 'release',
    ttl: '',
    nodeChecks: ['serfHealth'],
    serviceChecks: null,
    checks: ['serfHealth'],
  };
  if (body === '') return fixupEmptySessionChecks(req);
  try {
    const value = parseJsonBody(body);
    if (value === null) return fixupEmptySessionChecks(req);
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`json: cannot unmarshal ${jsonTypeName(value)} into Go value of type structs.Session`);
    }
    for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
      const field = key.toLowerCase();
      const mismatch = (goType: string, v: unknown = raw) =>
        new Error(`json: cannot unmarshal ${jsonTypeName(v)} into Go struct field .${canonical[field] ?? key} of type ${goType}`);
      switch (field) {
        case 'name':
        case 'node':
        case 'behavior':
        case 'ttl':
        case 'id':
          if (raw === null) break;
          if (typeof raw !== 'string') throw mismatch('string');
          if (field === 'name') req.name = raw;
          else if (field === 'node') req.node = raw;
          else if (field === 'behavior') req.behavior = raw;
          else if (field === 'ttl') req.ttl = raw;
          break;
        case 'lockdelay':
          req.lockDelayMs = decodeLockDelay(raw, req.lockDelayMs);
          break;
        case 'checks':
        case 'nodechecks':
          if (raw === null) {
            if (field === 'checks') req.checks = null;
            else req.nodeChecks = null;
            break;
          }
          if (!Array.isArray(raw)) throw mismatch(field === 'checks' ? '[]types.CheckID' : '[]string');
          for (const c of raw) if (typeof c !== 'string') throw mismatch(field === 'checks' ? 'types.CheckID' : 'string', c);
          if (field === 'checks') req.checks = raw as string[];
          else req.nodeChecks = raw as string[];
          break;
        case 'servicechecks':
          if (raw === null) {
            req.serviceChecks = null;
            break;
          }
          if (!Array.isArray(raw)) throw mismatch('[]structs.ServiceCheck');
          req.serviceChecks = raw.map((c) => decodeServiceCheck(c));
          break;
        default:
          // Ignored, as Go's json.Unmarshal does for unknown keys.
          break;
      }
    }
  } catch (e) {
    throw badRequest(`Request decode failed: ${(e as Error).message}`);
  }
  return fixupEmptySessionChecks(req);
}

const canonical: Record<string, string> = {
  name: 'Name',
  node: 'Node',
  behavior: 'Behavior',
  ttl: 'TTL',
  id: 'ID',
  checks: 'Checks',
  nodechecks: 'NodeChecks',
  servicechecks: 'ServiceChecks',
};

/** A string is a Go duration, a number nanoseconds; below 1000 ns either is taken as seconds. */
function decodeLockDelay(raw: unknown, fallback: number): number {
  let ns: number;
  if (typeof raw === 'string') ns = parseGoDuration(raw) * 1e6;
  else if (typeof raw === 'number') ns = Math.trunc(raw);
  else if (raw === null) return fallback;
  else ns = 0;
  return ns < LOCK_DELAY_MIN_THRESHOLD_NS ? ns * 1000 : ns / 1e6;
}

function decodeServiceCheck(c: unknown): { ID: string; Namespace: string } {
  if (c === null) return { ID: '', Namespace: '' };
  if (typeof c !== 'object' || Array.isArray(c)) {
    throw new Error(`json: cannot unmarshal ${jsonTypeName(c)} into Go struct field .ServiceChecks of type structs.ServiceCheck`);
  }
  const out = { ID: '', Namespace: '' };
  for (const [k, v] of Object.entries(c as Record<string, unknown>)) {
    const f = k.toLowerCase();
    if (f !== 'id' && f !== 'namespace') continue;
    if (v === null) continue;
    if (typeof v !== 'string') throw new Error(`json: cannot unmarshal ${jsonTypeName(v)} into Go struct field ServiceCheck.ServiceChecks.${f === 'id' ? 'ID' : 'Namespace'} of type string`);
    if (f === 'id') out.ID = v;
    else out.Namespace = v;
  }
  return out;
}

/** `fixupEmptySessionChecks` (agent/session_endpoint.go): Checks vs NodeChecks, the pre-1.7 field. */
function fixupEmptySessionChecks(req: SessionRequest): SessionRequest {
  const checks = req.checks ?? [];
  if (checks.length === 0) return { ...req, checks: null, nodeChecks: [] };
  if (checks.length === 1 && checks[0] === 'serfHealth') return { ...req, checks: null };
  if ((req.nodeChecks ?? []).length === 0) return { ...req, checks: null };
  return req;
}
