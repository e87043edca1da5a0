import type { IndexFeed } from './index-feed.ts';
import type { KvEntry } from './registry-types.ts';

/**
 * KvStore: Consul's key/value store on the registry-wide index. `index` is the index of the last KV write
 * (what a blocking KV read reports). Values are bytes; an empty value reads back as null. Locks follow
 * `state/kvs.go`: a lock names its session, `LockIndex` counts acquisitions, a plain write keeps the
 * session (and, as Consul's HTTP PUT sends LockIndex 0, resets LockIndex).
 */
export class KvStore {
  readonly feed: IndexFeed;
  #entries = new Map<string, KvEntry>();
  readonly #changeListeners = new Set<(key: string) => void>();
  #index: number;
  /** Set while a transaction runs: every write lands at this index and publishes once at the end. */
  #batch: { index: number; dirty: boolean; keys: Set<string> } | undefined;

  constructor(feed: IndexFeed) {
    this.feed = feed;
    this.#index = feed.index;
  }

  get index(): number {
    return this.#index;
  }

  /** Calls listener(key) synchronously after every write or delete of a key (persistence). */
  onChange(listener: (key: string) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  get(key: string): KvEntry | undefined {
    return this.#entries.get(key);
  }

  /** Entries whose key starts with prefix, sorted by key. */
  list(prefix: string): KvEntry[] {
    return [...this.#entries.values()].filter((e) => e.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** `?keys[&separator=]`: keys under prefix, rolled up at the first separator after the prefix. */
  keys(prefix: string, separator: string): string[] {
    const out = new Set<string>();
    for (const e of this.list(prefix)) {
      if (separator) {
        const at = e.key.indexOf(separator, prefix.length);
        out.add(at >= 0 ? e.key.slice(0, at + separator.length) : e.key);
      } else {
        out.add(e.key);
      }
    }
    return [...out];
  }

  /** Writes a value; with `cas` set, only if the entry's ModifyIndex equals it (0 = create only). */
  put(key: string, value: Buffer | null, opts: { flags?: string; cas?: number; index?: number } = {}): boolean {
    const old = this.#entries.get(key);
    if (opts.cas !== undefined && (old ? old.modifyIndex !== opts.cas : opts.cas !== 0)) return false;
    const index = opts.index ?? this.#nextIndex();
    this.#set({ key, value: normalize(value), flags: opts.flags ?? '0', lockIndex: 0, session: old?.session, createIndex: old?.createIndex ?? index, modifyIndex: index });
    this.#published(index);
    return true;
  }

  /**
   * `?acquire=<session>` (kvsLockTxn): takes the lock when the key is free or already held by `session`;
   * false when another session holds it. The caller has checked the session exists and the lock-delay.
   */
  lock(key: string, value: Buffer | null, session: string, opts: { flags?: string; index?: number } = {}): boolean {
    const old = this.#entries.get(key);
    if (old?.session && old.session !== session) return false;
    const index = opts.index ?? this.#nextIndex();
    const lockIndex = !old ? 1 : old.session === session ? old.lockIndex : old.lockIndex + 1;
    this.#set({ key, value: normalize(value), flags: opts.flags ?? '0', lockIndex, session, createIndex: old?.createIndex ?? index, modifyIndex: index });
    this.#published(index);
    return true;
  }

  /** `?release=<session>` (kvsUnlockTxn): false unless `session` holds the lock; keeps LockIndex. */
  unlock(key: string, value: Buffer | null, session: string, opts: { flags?: string; index?: number } = {}): boolean {
    const old = this.#entries.get(key);
    if (!old || old.session !== session) return false;
    const index = opts.index ?? this.#nextIndex();
    this.#set({ ...old, value: normalize(value), flags: opts.flags ?? '0', session: undefined, modifyIndex: index });
    this.#published(index);
    return true;
  }

  /** Keys locked by a session. */
  heldBy(session: string): KvEntry[] {
    return this.all().filter((e) => e.session === session);
  }

  /**
   * A session ended (deleteSessionTxn): its keys are released (`release`) or deleted (`delete`) at `index`.
   * Returns the keys touched.
   */
  invalidateSession(session: string, behavior: 'release' | 'delete', index: number): string[] {
    const held = this.heldBy(session);
    for (const e of held) {
      if (behavior === 'delete') this.#remove(e.key);
      else this.#set({ ...e, session: undefined, modifyIndex: index });
    }
    if (held.length) this.#published(index);
    return held.map((e) => e.key);
  }

  /** Deletes a key (or a whole prefix with recurse); with `cas`, only if ModifyIndex matches. */
  delete(key: string, opts: { recurse?: boolean; cas?: number; index?: number } = {}): boolean {
    if (opts.recurse) {
      const doomed = this.list(key);
      if (doomed.length === 0) return true;
      for (const e of doomed) this.#remove(e.key);
      this.#published(opts.index ?? this.#nextIndex());
      return true;
    }
    const old = this.#entries.get(key);
    if (opts.cas !== undefined && (!old || old.modifyIndex !== opts.cas)) return opts.cas === 0 && !old ? true : false;
    if (!old) return true;
    this.#remove(key);
    this.#published(opts.index ?? this.#nextIndex());
    return true;
  }

  all(): KvEntry[] {
    return this.list('');
  }

  /** Puts an entry back as it was saved (persistence); indexes are renumbered. */
  restore(entry: Omit<KvEntry, 'createIndex' | 'modifyIndex'>): void {
    const index = this.#nextIndex();
    this.#set({ ...entry, value: normalize(entry.value), createIndex: index, modifyIndex: index });
    this.#published(index);
  }

  /**
   * Runs `fn` as one transaction (`/v1/txn`): its writes share one index and are published once when
   * `commit(result)` is true; otherwise every entry is put back as it was and nothing is published.
   */
  atomically<T>(fn: () => T, commit: (result: T) => boolean): T {
    const saved = new Map(this.#entries);
    const batch = (this.#batch = { index: this.feed.index + 1, dirty: false, keys: new Set<string>() });
    let result: T | undefined;
    let ok = false;
    try {
      result = fn();
      ok = commit(result);
    } finally {
      this.#batch = undefined;
      if (!ok) {
        this.#entries = saved;
        for (const key of batch.keys) for (const l of this.#changeListeners) l(key);
      } else if (batch.dirty) {
        this.#published(batch.index);
      }
    }
    return result as T;
  }

  #nextIndex(): number {
    return this.#batch?.index ?? this.feed.index + 1;
  }

  #set(entry: KvEntry): void {
    this.#batch?.keys.add(entry.key);
    if (entry.session === undefined) delete entry.session;
    this.#entries.set(entry.key, entry);
    for (const l of this.#changeListeners) l(entry.key);
  }

  #remove(key: string): void {
    this.#batch?.keys.add(key);
    this.#entries.delete(key);
    for (const l of this.#changeListeners) l(key);
  }

  #published(index: number): void {
    if (this.#batch) {
      this.#batch.dirty = true;
      return;
    }
    this.#index = Math.max(this.#index, index);
    this.feed.advanceTo(index);
  }
}

function normalize(value: Buffer | null): Buffer | null {
  return value && value.length ? value : null;
}
