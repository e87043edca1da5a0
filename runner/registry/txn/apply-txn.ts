import type { KvStore } from '../kv-store.ts';
import type { KvEntry } from '../registry-types.ts';
import type { SessionStore } from '../session/session-store.ts';
import type { KvTxnOp, TxnOp } from './decode-txn-ops.ts';

export interface TxnOutcome {
  /** One entry per result (`{KV: DirEntry}`); Value is kept for get/get-tree only. */
  results: { entry: KvEntry; withValue: boolean }[];
  errors: { OpIndex: number; What: string }[];
  writes: number;
}

const WRITE_VERBS = new Set(['set', 'delete', 'delete-cas', 'delete-tree', 'cas', 'lock', 'unlock']);

/** True when an op changes state (`isWrite` in agent/txn_endpoint.go); catalog ops count as writes unless `get`. */
export function isWriteOp(op: TxnOp): boolean {
  return 'kv' in op && WRITE_VERBS.has(op.kv.verb);
}

/**
 * Applies a transaction as `state/txn.go` does: every op runs, each failure is recorded with its index,
 * and on any failure nothing is kept (all-or-nothing, one index for all writes).
 */
export function applyTxn(ops: TxnOp[], kv: KvStore, sessions: SessionStore): TxnOutcome {
  return kv.atomically(
    () => {
      const out: TxnOutcome = { results: [], errors: [], writes: ops.filter(isWriteOp).length };
      ops.forEach((op, i) => {
        try {
          if ('kv' in op) out.results.push(...applyKv(op.kv, kv, sessions));
          else if ('other' in op) throw new Error(`micro-dev: ${op.other} operations in transactions are not supported (KV only)`);
          else throw new Error('no operation specified');
        } catch (e) {
          out.errors.push({ OpIndex: i, What: (e as Error).message });
        }
      });
      if (out.errors.length) out.results = [];
      return out;
    },
    (out) => out.errors.length === 0,
  );
}

function applyKv(op: KvTxnOp, kv: KvStore, sessions: SessionStore): TxnOutcome['results'] {
  const key = op.key;
  const q = JSON.stringify(key);
  const one = (entry: KvEntry | undefined, withValue = false) => (entry ? [{ entry, withValue }] : []);
  // kvsPreApply: every verb but delete-tree needs a key.
  if (key === '' && op.verb !== 'delete-tree') throw new Error('Must provide key');
  switch (op.verb) {
    case 'set':
      kv.put(key, op.value, { flags: op.flags });
      return one(kv.get(key));
    case 'cas':
      if (!kv.put(key, op.value, { flags: op.flags, cas: op.index })) throw new Error(`failed to set key ${q}, index is stale`);
      return one(kv.get(key));
    case 'delete':
      kv.delete(key);
      return [];
    case 'delete-cas': {
      const existing = kv.get(key);
      // kvsDeleteCASTxn: a missing key "succeeds" only as a no-op.
      if (!existing || existing.modifyIndex !== op.index) {
        if (existing) throw new Error(`failed to delete key ${q}, index is stale`);
        return [];
      }
      kv.delete(key);
      return [];
    }
    case 'delete-tree':
      kv.delete(key, { recurse: true });
      return [];
    case 'lock': {
      if (op.session === '') throw new Error('missing session');
      if (!sessions.get(op.session)) throw new Error(`invalid session ${JSON.stringify(op.session)}`);
      if (sessions.lockDelayLeft(key) > 0) throw new Error(`failed to lock key ${q} due to lock delay`);
      if (!kv.lock(key, op.value, op.session, { flags: op.flags })) throw new Error(`failed to lock key ${q}, lock is already held`);
      return one(kv.get(key));
    }
    case 'unlock':
      if (op.session === '') throw new Error('missing session');
      if (!kv.unlock(key, op.value, op.session, { flags: op.flags })) {
        throw new Error(`failed to unlock key ${q}, lock isn't held, or is held by another session`);
      }
      return one(kv.get(key));
    case 'get': {
      const entry = kv.get(key);
      if (!entry) throw new Error(`key ${q} doesn't exist`);
      return one(entry, true);
    }
    case 'get-tree':
      return kv.list(key).map((entry) => ({ entry, withValue: true }));
    case 'check-session': {
      const entry = kv.get(key);
      if (!entry) throw new Error(`failed to check session, key ${q} doesn't exist`);
      if ((entry.session ?? '') !== op.session) {
        throw new Error(`failed session check for key ${q}, current session ${JSON.stringify(entry.session ?? '')} != ${JSON.stringify(op.session)}`);
      }
      return one(entry);
    }
    case 'check-index': {
      const entry = kv.get(key);
      if (!entry) throw new Error(`failed to check index, key ${q} doesn't exist`);
      if (entry.modifyIndex !== op.index) throw new Error(`failed index check for key ${q}, current modify index ${entry.modifyIndex} != ${op.index}`);
      return one(entry);
    }
    case 'check-not-exists':
      if (kv.get(key)) throw new Error(`key ${q} exists`);
      return [];
    default:
      throw new Error(`unknown KV verb ${JSON.stringify(op.verb)}`);
  }
}
