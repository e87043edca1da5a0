import type { IndexFeed } from './index-feed.ts';
import type { KvEntry } from './registry-types.ts';

/**
 * KvStore: Consul's key/value store on the registry-wide index. `index` is the index of the last KV write
 * (what a blocking KV read reports). Values are bytes; an empty value reads back as null.
 */
export class KvStore {
  readonly feed: IndexFeed;
  readonly #entries = new Map<string, KvEntry>();
  #index: number;

  constructor(feed: IndexFeed) {
    this.feed = feed;
    this.#index = feed.index;
  }

  get index(): number {
    return this.#index;
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
  put(key: string, value: Buffer | null, opts: { flags?: string; cas?: number } = {}): boolean {
    const old = this.#entries.get(key);
    if (opts.cas !== undefined && (old ? old.modifyIndex !== opts.cas : opts.cas !== 0)) return false;
    const index = this.feed.index + 1;
    this.#entries.set(key, {
      key,
      value: value && value.length ? value : null,
      flags: opts.flags ?? '0',
      lockIndex: old?.lockIndex ?? 0,
      createIndex: old?.createIndex ?? index,
      modifyIndex: index,
    });
    this.#published(index);
    return true;
  }

  /** Deletes a key (or a whole prefix with recurse); with `cas`, only if ModifyIndex matches. */
  delete(key: string, opts: { recurse?: boolean; cas?: number } = {}): boolean {
    if (opts.recurse) {
      const doomed = this.list(key);
      if (doomed.length === 0) return true;
      for (const e of doomed) this.#entries.delete(e.key);
      this.#published(this.feed.index + 1);
      return true;
    }
    const old = this.#entries.get(key);
    if (opts.cas !== undefined && (!old || old.modifyIndex !== opts.cas)) return opts.cas === 0 && !old ? true : false;
    if (!old) return true;
    this.#entries.delete(key);
    this.#published(this.feed.index + 1);
    return true;
  }

  all(): KvEntry[] {
    return this.list('');
  }

  #published(index: number): void {
    this.#index = index;
    this.feed.advanceTo(index);
  }
}
