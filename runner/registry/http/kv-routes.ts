import type { Clock } from '../../clock/clock.ts';
import { badRequest } from '../consul-http-error.ts';
import type { KvStore } from '../kv-store.ts';
import type { KvEntry } from '../registry-types.ts';
import type { SessionStore } from '../session/session-store.ts';
import { blockUntilChanged } from './blocking-query.ts';
import type { Reply, RequestContext } from './request-context.ts';
import type { RouteTable } from './route-table.ts';

const MAX_VALUE_BYTES = 512 * 1024;

/** `/v1/kv/`: GET (recurse, keys, raw; blocking), PUT (cas, flags, acquire, release), DELETE (recurse, cas). */
export function addKvRoutes(table: RouteTable, kv: KvStore, sessions: SessionStore, wallClock: Clock): void {
  const view = () => ({ data: { index: kv.index }, feed: kv.feed });
  table.add('/v1/kv/', {
    GET: async (ctx) => {
      const key = ctx.param;
      const q = ctx.query;
      if (q.has('keys')) {
        await blockUntilChanged(ctx, view, wallClock);
        return { json: kv.keys(key, q.get('separator') ?? ''), index: kv.index };
      }
      if (key === '' && !q.has('recurse')) throw badRequest('Missing key name');
      await blockUntilChanged(ctx, view, wallClock);
      const entries = q.has('recurse') ? kv.list(key) : [kv.get(key)].filter((e): e is KvEntry => e !== undefined);
      if (entries.length === 0) return { status: 404, text: '', contentType: '', index: kv.index };
      if (q.has('raw')) {
        return {
          raw: entries[0].value ?? Buffer.alloc(0),
          contentType: 'text/plain',
          headers: { 'X-Content-Type-Options': 'nosniff' },
          index: kv.index,
        };
      }
      return { json: entries.map(renderEntry), index: kv.index };
    },
    PUT: async (ctx) => {
      const key = ctx.param;
      const q = ctx.query;
      const flags = ['cas', 'acquire', 'release'].filter((f) => q.has(f));
      if (flags.length > 1) throw badRequest('Conflicting flags: ' + q.toString());
      if (key === '') throw badRequest('Missing key name');
      const cas = parseUint(q, 'cas');
      const flagValue = q.get('flags');
      if (flagValue !== null && flagValue !== '' && !/^\d+$/.test(flagValue)) throw badRequest('Invalid flags value');
      const body = await ctx.body(
        MAX_VALUE_BYTES,
        `Request body(${Number(ctx.header('content-length') ?? 0)} bytes) too large, max size: ${MAX_VALUE_BYTES} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.`,
      );
      const flagsOpt = flagValue || undefined;
      const acquire = q.get('acquire');
      if (acquire !== null) return { json: sessions.acquire(key, body, acquire, flagsOpt) };
      const release = q.get('release');
      if (release !== null) return { json: sessions.release(key, body, release, flagsOpt) };
      return { json: kv.put(key, body, { flags: flagsOpt, cas }) };
    },
    DELETE: (ctx: RequestContext): Reply => {
      const q = ctx.query;
      if (q.has('recurse') && q.has('cas')) throw badRequest('Conflicting flags: ' + q.toString());
      if (ctx.param === '' && !q.has('recurse')) throw badRequest('Missing key name');
      return { json: kv.delete(ctx.param, { recurse: q.has('recurse'), cas: parseUint(q, 'cas') }) };
    },
  });
}

function parseUint(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`Invalid ${name} value`);
  return Number(v);
}

/** `structs.DirEntry`: `Session` only while locked (omitempty). */
export function renderEntry(e: KvEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {
    LockIndex: e.lockIndex,
    Key: e.key,
    Flags: Number(e.flags),
    Value: e.value ? e.value.toString('base64') : null,
  };
  if (e.session) out.Session = e.session;
  out.CreateIndex = e.createIndex;
  out.ModifyIndex = e.modifyIndex;
  return out;
}
