import { randomUUID } from 'node:crypto';
import type { Clock, Timer } from '../../clock/clock.ts';
import { ConsulHttpError, notFound } from '../consul-http-error.ts';
import { formatGoDuration, parseGoDuration } from '../go-duration.ts';
import type { IndexFeed } from '../index-feed.ts';
import type { KvStore } from '../kv-store.ts';
import type { CheckStatus, RegistryEvent } from '../registry-types.ts';

export type SessionBehavior = 'release' | 'delete';

/** A session as `structs.Session` (1.7+): checks bind it to health, TTL and lock-delay are model time. */
export interface SessionRecord {
  id: string;
  name: string;
  node: string;
  lockDelayMs: number;
  behavior: SessionBehavior;
  /** As given (a Go duration string, "" for none). */
  ttl: string;
  nodeChecks: string[] | null;
  serviceChecks: { ID: string; Namespace: string }[] | null;
  /** Deprecated `Checks` (kept only when given and not the lone default serfHealth). */
  checks: string[] | null;
  createIndex: number;
  modifyIndex: number;
}

/** What `PUT /v1/session/create` asks for, after decode and the default-checks fixup. */
export type SessionRequest = Omit<SessionRecord, 'id' | 'createIndex' | 'modifyIndex' | 'behavior'> & { behavior: string };

export interface SessionStoreOptions {
  feed: IndexFeed;
  kv: KvStore;
  /** The lease clock (model time): TTLs and lock-delays run on it. */
  clock: Clock;
  /** The node this agent is (sessions can only bind to it). */
  nodeName: () => string;
  /** A check's status on this node (node and service checks), undefined when not registered. */
  checkStatus: (checkId: string) => CheckStatus | undefined;
  emit: (e: RegistryEvent) => void;
  wallNow: () => number;
  newId?: () => string;
}

/** Consul's defaults: `session_ttl_min` 10s, `SessionTTLMax` 24h, `MaxLockDelay` 60s, TTL x2 grace. */
export const SESSION_TTL_MIN_MS = 10_000;
export const SESSION_TTL_MAX_MS = 24 * 3_600_000;
export const MAX_LOCK_DELAY_MS = 60_000;
export const SESSION_TTL_MULTIPLIER = 2;

/**
 * SessionStore: sessions and the KV locks they hold (`state/session.go`, `session_ttl.go`). A session ends
 * when destroyed, when its TTL x2 passes without a renew, or when one of its checks turns critical or is
 * deregistered; its locks are then released or deleted (`Behavior`) and each key is blocked from a new
 * acquire for `LockDelay` (capped at 60 s). Every write bumps the shared index once.
 */
export class SessionStore {
  readonly #opts: SessionStoreOptions;
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #timers = new Map<string, Timer>();
  readonly #lockDelays = new Map<string, number>();
  readonly #changeListeners = new Set<(id: string) => void>();
  #index: number;

  constructor(opts: SessionStoreOptions) {
    this.#opts = opts;
    this.#index = opts.feed.index;
  }

  get index(): number {
    return this.#index;
  }

  get feed(): IndexFeed {
    return this.#opts.feed;
  }

  /** Calls listener(id) synchronously after a session is created or destroyed (persistence). */
  onChange(listener: (id: string) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  get(id: string): SessionRecord | undefined {
    return this.#sessions.get(id);
  }

  list(): SessionRecord[] {
    return [...this.#sessions.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  ofNode(node: string): SessionRecord[] {
    return this.list().filter((s) => s.node === node);
  }

  /** Session.Apply(create) + sessionCreateTxn: validation errors are 500s with Consul's texts. */
  create(req: SessionRequest, restoredId?: string): SessionRecord {
    if (req.node === '') throw serverError('Must provide Node');
    if (req.behavior !== '' && req.behavior !== 'release' && req.behavior !== 'delete') {
      throw serverError(`Invalid Behavior setting '${req.behavior}'`);
    }
    const ttlMs = parseTtl(req.ttl);
    if (req.node !== this.#opts.nodeName()) throw serverError('Missing node registration');
    for (const id of checkIdsOf(req)) {
      const status = this.#opts.checkStatus(id);
      if (status === undefined) throw serverError(`Missing check '${id}' registration`);
      if (status === 'critical') throw serverError(`Check '${id}' is in critical state`);
    }
    const index = this.#opts.feed.index + 1;
    const id = restoredId ?? this.#newId();
    const session: SessionRecord = { ...req, id, behavior: (req.behavior || 'release') as SessionBehavior, createIndex: index, modifyIndex: index };
    this.#sessions.set(id, session);
    for (const l of this.#changeListeners) l(id);
    this.#published(index);
    if (ttlMs > 0) this.#arm(id, ttlMs);
    return session;
  }

  /** Session.Renew: resets the TTL timer; 404 `Session id '<id>' not found` when unknown. */
  renew(id: string): SessionRecord {
    const s = this.#sessions.get(id);
    if (!s) throw notFound(`Session id '${id}' not found`);
    const ttlMs = parseTtl(s.ttl);
    if (ttlMs > 0) this.#arm(id, ttlMs);
    return s;
  }

  /** Destroys a session (an unknown ID is not an error, as in deleteSessionTxn). */
  destroy(id: string, reason: 'destroyed' | 'ttl' | 'check' = 'destroyed'): boolean {
    const s = this.#sessions.get(id);
    if (!s) return false;
    const index = this.#opts.feed.index + 1;
    this.#timers.get(id)?.cancel();
    this.#timers.delete(id);
    this.#sessions.delete(id);
    for (const l of this.#changeListeners) l(id);
    const keys = this.#opts.kv.invalidateSession(id, s.behavior, index);
    const delay = Math.min(s.lockDelayMs, MAX_LOCK_DELAY_MS);
    if (delay > 0) for (const key of keys) this.#lockDelays.set(key, this.#opts.clock.now() + delay);
    this.#published(index);
    const at = this.#opts.wallNow();
    this.#opts.emit({ type: 'session-ended', at, session: id, name: s.name, reason, keys, behavior: s.behavior });
    return true;
  }

  /** A check turned critical or was removed: every session bound to it ends (Consul invalidates them). */
  checkFailed(checkId: string): void {
    for (const s of [...this.#sessions.values()]) {
      if (checkIdsOf(s).includes(checkId)) this.destroy(s.id, 'check');
    }
  }

  /**
   * KV `?acquire=`: 500 `missing session` / `invalid session "<id>"`; false while the key is under another
   * session's lock or its lock-delay.
   */
  acquire(key: string, value: Buffer | null, session: string, flags?: string): boolean {
    this.#requireSession(session, true);
    const until = this.#lockDelays.get(key);
    if (until !== undefined) {
      if (until > this.#opts.clock.now()) return false;
      this.#lockDelays.delete(key);
    }
    const ok = this.#opts.kv.lock(key, value, session, { flags });
    if (ok) this.#opts.emit({ type: 'lock-acquired', at: this.#opts.wallNow(), key, session, name: this.#sessions.get(session)!.name });
    return ok;
  }

  /** KV `?release=`: false unless `session` holds the key. */
  release(key: string, value: Buffer | null, session: string, flags?: string): boolean {
    this.#requireSession(session, false);
    const ok = this.#opts.kv.unlock(key, value, session, { flags });
    if (ok) this.#opts.emit({ type: 'lock-released', at: this.#opts.wallNow(), key, session });
    return ok;
  }

  /** Model ms until a key may be acquired again (0 when free of lock-delay). */
  lockDelayLeft(key: string): number {
    const until = this.#lockDelays.get(key);
    return until === undefined ? 0 : Math.max(0, until - this.#opts.clock.now());
  }

  /** Who holds which lock, for status and the dashboard. */
  locks(): { key: string; session: string; name: string; lockIndex: number }[] {
    return this.#opts.kv
      .all()
      .filter((e) => e.session !== undefined)
      .map((e) => ({ key: e.key, session: e.session!, name: this.#sessions.get(e.session!)?.name ?? '', lockIndex: e.lockIndex }));
  }

  stop(): void {
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
  }

  #requireSession(session: string, mustExist: boolean): void {
    if (session === '') throw serverError('missing session');
    if (mustExist && !this.#sessions.has(session)) throw serverError(`invalid session ${JSON.stringify(session)}`);
  }

  #arm(id: string, ttlMs: number): void {
    this.#timers.get(id)?.cancel();
    this.#timers.set(id, this.#opts.clock.setTimeout(() => {
      this.#timers.delete(id);
      this.destroy(id, 'ttl');
    }, ttlMs * SESSION_TTL_MULTIPLIER));
  }

  #newId(): string {
    for (;;) {
      const id = (this.#opts.newId ?? randomUUID)();
      if (!this.#sessions.has(id)) return id;
    }
  }

  #published(index: number): void {
    this.#index = index;
    this.#opts.feed.advanceTo(index);
  }
}

/** `structs.Session.CheckIDs()`: Checks, then NodeChecks, then ServiceChecks' IDs. */
export function checkIdsOf(s: Pick<SessionRecord, 'checks' | 'nodeChecks' | 'serviceChecks'>): string[] {
  return [...(s.checks ?? []), ...(s.nodeChecks ?? []), ...(s.serviceChecks ?? []).map((c) => c.ID)];
}

/** Session.Apply's TTL rules; returns model ms (0 = no TTL). */
function parseTtl(ttl: string): number {
  if (ttl === '') return 0;
  let ms: number;
  try {
    ms = parseGoDuration(ttl);
  } catch (e) {
    throw serverError(`Session TTL '${ttl}' invalid: ${(e as Error).message}`);
  }
  if (ms !== 0 && (ms < SESSION_TTL_MIN_MS || ms > SESSION_TTL_MAX_MS)) {
    throw serverError(
      `Invalid Session TTL '${Math.round(ms * 1e6)}', must be between [${formatGoDuration(SESSION_TTL_MIN_MS)}=${formatGoDuration(SESSION_TTL_MAX_MS)}]`,
    );
  }
  return ms;
}

function serverError(text: string): ConsulHttpError {
  return new ConsulHttpError(500, text);
}
