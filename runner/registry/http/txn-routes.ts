import { ConsulHttpError } from '../consul-http-error.ts';
import type { Reply } from './request-context.ts';
import type { KvStore } from '../kv-store.ts';
import type { SessionStore } from '../session/session-store.ts';
import { applyTxn } from '../txn/apply-txn.ts';
import { decodeTxnOps } from '../txn/decode-txn-ops.ts';
import { renderEntry } from './kv-routes.ts';
import type { RouteTable } from './route-table.ts';

/** Consul's defaults: `txn_max_req_len` and `kv_max_value_size` 512 KiB, at most 64 ops. */
export const TXN_MAX_REQ_LEN = 512 * 1024;
export const MAX_TXN_OPS = 64;

/**
 * `PUT /v1/txn` (agent/txn_endpoint.go): KV ops applied all-or-nothing. 200 `{Results, Errors:null}`;
 * any failed op 409 `{Results:null, Errors:[{OpIndex, What}]}`. A read-only transaction's answer also
 * carries the embedded QueryMeta fields (TxnReadResponse).
 */
export function addTxnRoutes(table: RouteTable, kv: KvStore, sessions: SessionStore): void {
  table.add('/v1/txn', {
    PUT: async (ctx): Promise<Reply> => {
      const tooLarge = `Request body too large, max size: ${TXN_MAX_REQ_LEN} bytes`;
      if (Number(ctx.header('content-length') ?? 0) > TXN_MAX_REQ_LEN) throw new ConsulHttpError(413, tooLarge);
      const text = (await ctx.body(TXN_MAX_REQ_LEN, tooLarge)).toString('utf8');
      let ops;
      try {
        ops = decodeTxnOps(text);
      } catch (e) {
        throw new ConsulHttpError(400, `Failed to parse body: ${(e as Error).message}`);
      }
      if (ops.length > MAX_TXN_OPS) throw new ConsulHttpError(413, `Transaction contains too many operations (${ops.length} > ${MAX_TXN_OPS})`);
      for (const op of ops) {
        if ('kv' in op && op.kv.value && op.kv.value.length > TXN_MAX_REQ_LEN) {
          throw new ConsulHttpError(413, `Value for key ${JSON.stringify(op.kv.key)} is too large (${op.kv.value.length} > ${TXN_MAX_REQ_LEN} bytes)`);
        }
      }
      const out = applyTxn(ops, kv, sessions);
      const body: Record<string, unknown> = {
        Results: out.errors.length ? null : out.results.map((r) => ({ KV: renderEntry(r.withValue ? r.entry : { ...r.entry, value: null }) })),
        Errors: out.errors.length ? out.errors : null,
      };
      if (out.writes === 0) {
        Object.assign(body, { Index: 0, LastContact: 0, KnownLeader: true, ConsistencyLevel: 'leader', NotModified: false, Backend: 0, ResultsFilteredByACLs: false });
      }
      const headers: Record<string, string> = out.writes === 0 ? { 'X-Consul-Knownleader': 'true', 'X-Consul-Lastcontact': '0' } : {};
      return { status: out.errors.length ? 409 : 200, json: body, headers };
    },
  });
}
