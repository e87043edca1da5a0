/**
 * A registry cache like go-micro's registry/cache: the first get(service) reads the registry, then one
 * blocking-query watch per service keeps the entry fresh.
 *
 *   get(svc) ──miss──> registry.getService(svc) ──> entry ──> watch: getService(svc,{index,waitMs}) ─┐
 *            <──hit── entry <────────────────────────────────────────────── update on new index <───┘
 *
 * On a registry outage the watch retries with backoff and get() keeps serving the last known nodes; only a
 * service never fetched successfully fails. close() aborts every watch (owner must call it).
 */
import { SystemClock, type Clock } from './clock.ts';
import type { KitRegistry } from './kit-registry.ts';
import type { ServiceInfo } from './types.ts';

export interface NodeCacheOptions {
  clock?: Clock;
  /** Blocking query wait per watch round (default 30000 ms). */
  waitMs?: number;
  /** First backoff after a failed watch round; doubles up to maxRetryMs (defaults 250 / 5000 ms). */
  retryMs?: number;
  maxRetryMs?: number;
}

interface Entry {
  services?: ServiceInfo[];
  index: number;
  loading?: Promise<ServiceInfo[]>;
}

export type NodeCacheListener = (service: string, services: ServiceInfo[]) => void;

export class NodeCache {
  readonly #registry: Pick<KitRegistry, 'getService'>;
  readonly #clock: Clock;
  readonly #waitMs: number;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<NodeCacheListener>();
  readonly #stop = new AbortController();

  constructor(registry: Pick<KitRegistry, 'getService'>, options: NodeCacheOptions = {}) {
    this.#registry = registry;
    this.#clock = options.clock ?? new SystemClock();
    this.#waitMs = options.waitMs ?? 30_000;
    this.#retryMs = options.retryMs ?? 250;
    this.#maxRetryMs = options.maxRetryMs ?? 5_000;
  }

  /** Known services (one per version) of `service`; fetches on first use. Rejects only if never fetched. */
  async get(service: string, signal?: AbortSignal): Promise<ServiceInfo[]> {
    if (this.#stop.signal.aborted) throw new Error('node cache is closed');
    let entry = this.#entries.get(service);
    if (entry?.services) return entry.services;
    if (entry?.loading) return signal ? raceAbort(entry.loading, signal) : entry.loading;
    if (!entry) {
      entry = { index: 0 };
      this.#entries.set(service, entry);
    }
    const e = entry;
    const loading: Promise<ServiceInfo[]> = this.#registry.getService(service, { signal: this.#stop.signal }).then(
      ({ services, index }) => {
        e.services = services;
        e.index = Math.max(1, index);
        e.loading = undefined;
        void this.#watch(service, e);
        return services;
      },
      (err: unknown) => {
        this.#entries.delete(service);
        throw err;
      },
    );
    e.loading = loading;
    return signal ? raceAbort(loading, signal) : loading;
  }

  /** Last known services without fetching (undefined if never fetched). */
  peek(service: string): ServiceInfo[] | undefined {
    return this.#entries.get(service)?.services;
  }

  /** Called after every change a watch sees; returns an unsubscribe function. */
  onChange(listener: NodeCacheListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops every watch. Idempotent. Does not close the registry client (the caller owns it). */
  close(): void {
    this.#stop.abort(new Error('node cache closed'));
    this.#entries.clear();
    this.#listeners.clear();
  }

  async #watch(service: string, entry: Entry): Promise<void> {
    const signal = this.#stop.signal;
    let backoff = this.#retryMs;
    while (!signal.aborted) {
      try {
        const started = this.#clock.now();
        const { services, index } = await this.#registry.getService(service, {
          index: entry.index,
          waitMs: this.#waitMs,
          signal,
        });
        backoff = this.#retryMs;
        if (signal.aborted) return;
        // An index going backwards means the registry restarted: take the data and start over from it.
        const changed = index !== entry.index;
        entry.index = Math.max(1, index);
        entry.services = services;
        if (changed) for (const l of this.#listeners) l(service, services);
        // A registry that answers a blocking query at once without a new index would make this spin.
        if (!changed && this.#clock.now() - started < 50) await this.#clock.sleep(this.#retryMs, signal);
      } catch {
        if (signal.aborted) return;
        try {
          await this.#clock.sleep(backoff, signal);
        } catch {
          return;
        }
        backoff = Math.min(backoff * 2, this.#maxRetryMs);
      }
    }
  }
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
