/**
 * The kit's etcd client (MICRO_REGISTRY=etcd, MICRO_REGISTRY_ADDRESS=host:port[,host:port...] of etcd
 * members), go-micro's etcd registry (registry-wire.md §3) over the `etcd3` client library:
 *
 *   register    Grant(TTL s) -> Put /micro/registry/<service>/<node id> = JSON registry.Service (one node),
 *               with the lease; etcd3 keeps the lease alive every TTL/3 (go-micro >= 5.13's KeepAlive stream)
 *   heartbeat   go-micro's Register tick: nothing while the lease lives and the node is unchanged (no Put);
 *               rejects when the lease was lost or the node changed (the caller registers again: Grant+Put)
 *   deregister  Delete(key) only: the lease is left to expire, as go-micro does
 *   getService  prefix Get of /micro/registry/<service>/ (serializable), grouped by version; with `index`
 *               (a revision) it first Watches the prefix from index+1 until an event or `waitMs`
 *
 * Keys and JSON are what a Go service on go-micro writes and reads: `etcdctl get --prefix /micro/registry/`.
 */
import type { IBackoff } from 'cockatiel';
import { Etcd3, type Lease, type Watcher } from 'etcd3';
import type { GetServiceOptions, RegisterNode } from './registry-client.ts';
import { RegistryRequestError } from './registry-client.ts';
import type { KitRegistry } from './kit-registry.ts';
import type { Endpoint, ServiceInfo, Value } from './types.ts';
import { goJson } from './go-json.ts';

export const ETCD_PREFIX = '/micro/registry/';
const ATTEMPT_MS = 1_000;
/**
 * etcd3 reconnects a broken watch stream after a backoff (doubling, 30 s at most by default) on a timer it
 * never clears, not even when the client is closed: a client closed after an etcd outage held its process
 * for up to 30 s (`micro-dev compare`). At most 1 s here, so a closed client lets its process go within a second.
 */
const WATCH_RECONNECT_MAX_MS = 1_000;

/** etcd3's watch reconnect delays: 128 ms, doubling, at most WATCH_RECONNECT_MAX_MS (etcd3 calls next() first). */
function watchBackoff(ms = 0): IBackoff<unknown> {
  return { duration: ms, next: () => watchBackoff(Math.min(ms ? ms * 2 : 128, WATCH_RECONNECT_MAX_MS)) };
}

/** go-micro's node key: path.Join(prefix, service, id) with `/` in service and id replaced by `-`. */
export function etcdNodeKey(service: string, id: string): string {
  return `${ETCD_PREFIX}${service.replaceAll('/', '-')}/${id.replaceAll('/', '-')}`;
}

/** json.Marshal(registry.Service) with exactly one node, in Go's field order (map keys sorted, nil as null). */
export function encodeEtcdService(node: RegisterNode): string {
  const value = (v: Value | undefined): unknown => (v ? { name: v.name, type: v.type, values: v.values?.length ? v.values.map(value) : null } : null);
  const map = (m: Record<string, string> | undefined) => (m && Object.keys(m).length ? Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : null);
  return goJson({
    name: node.service,
    version: node.version,
    metadata: null,
    endpoints: node.endpoints.length
      ? node.endpoints.map((e: Endpoint) => ({ request: value(e.request), response: value(e.response), metadata: map(e.metadata), name: e.name }))
      : null,
    nodes: [{ metadata: map(node.metadata), id: node.id, address: node.address }],
  });
}

interface StoredService {
  name?: string;
  version?: string;
  metadata?: Record<string, string> | null;
  endpoints?: (Omit<Endpoint, 'metadata'> & { metadata?: Record<string, string> | null })[] | null;
  nodes?: { id?: string; address?: string; metadata?: Record<string, string> | null }[] | null;
}

/** GetService's grouping: values by version, nodes concatenated, metadata/endpoints of the first record. */
export function groupEtcdValues(values: string[]): ServiceInfo[] {
  const byVersion = new Map<string, ServiceInfo>();
  for (const text of values) {
    let s: StoredService;
    try {
      s = JSON.parse(text) as StoredService;
    } catch {
      continue;
    }
    if (!s || typeof s.name !== 'string') continue;
    const version = s.version ?? '';
    let info = byVersion.get(version);
    if (!info) {
      const endpoints = (s.endpoints ?? []).map((e) => ({ ...e, metadata: e.metadata ?? {} })) as Endpoint[];
      byVersion.set(version, (info = { name: s.name, version, metadata: s.metadata ?? {}, endpoints, nodes: [] }));
    }
    for (const n of s.nodes ?? []) info.nodes.push({ id: n.id ?? '', address: n.address ?? '', metadata: n.metadata ?? {} });
  }
  return [...byVersion.values()];
}

interface Held {
  lease: Lease;
  value: string;
  lost: boolean;
}

export class EtcdRegistryClient implements KitRegistry {
  readonly address: string;
  readonly #client: Etcd3;
  readonly #held = new Map<string, Held>();
  /** Watches in progress (#watchOnce), cancelled by close(). */
  readonly #watchers = new Set<Watcher>();

  constructor(address: string) {
    const hosts = address.split(',').map((a) => a.trim().replace(/^https?:\/\//, '')).filter(Boolean);
    if (hosts.length === 0) throw new RangeError('etcd registry: no address (MICRO_REGISTRY_ADDRESS=host:port[,host:port...])');
    this.address = hosts.join(',');
    this.#client = new Etcd3({
      hosts: hosts.map((h) => `http://${h}`),
      dialTimeout: 2_000,
      // Each attempt on one member gives up after 1 s, and etcd3 retries on another (shuffled) member: a member
      // that lost its quorum (it hangs, it does not refuse) costs a second, not the whole operation. The
      // operation as a whole is bounded by the caller (go-micro's registry.Timeout: 5 s).
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + ATTEMPT_MS }),
      faultHandling: { watchBackoff: watchBackoff() },
    });
  }

  async register(node: RegisterNode, ttlMs: number, options: { timeoutMs?: number } = {}): Promise<void> {
    const key = etcdNodeKey(node.service, node.id);
    this.#held.get(key)?.lease.release();
    this.#held.delete(key);
    const value = encodeEtcdService(node);
    // int64(TTL.Seconds()): sub-second TTLs truncate (etcd raises a grant below its minimum to 2 s).
    const ttlS = Math.trunc(ttlMs / 1000);
    const timeoutMs = options.timeoutMs ?? 5_000;
    if (ttlS <= 0) {
      await this.#call('put', this.#client.put(key).value(value).exec(), timeoutMs);
      return;
    }
    const lease = this.#client.lease(ttlS);
    const held: Held = { lease, value, lost: false };
    lease.on('lost', () => (held.lost = true));
    try {
      await this.#call('lease grant', lease.grant(), timeoutMs);
      await this.#call('put', lease.put(key).value(value).exec(), timeoutMs);
    } catch (error) {
      lease.release();
      throw error;
    }
    this.#held.set(key, held);
  }

  async heartbeat(node: RegisterNode): Promise<void> {
    const key = etcdNodeKey(node.service, node.id);
    const held = this.#held.get(key);
    if (!held) throw new RegistryRequestError(`etcd registry: ${key} is not registered by this client`, 404);
    if (held.lost || held.lease.revoked()) throw new RegistryRequestError(`etcd registry: the lease of ${key} was lost`, 404);
    if (held.value !== encodeEtcdService(node)) throw new RegistryRequestError(`etcd registry: ${key} changed`, 409);
  }

  async deregisterNode(node: RegisterNode): Promise<void> {
    const key = etcdNodeKey(node.service, node.id);
    const held = this.#held.get(key);
    this.#held.delete(key);
    // go-micro deletes the key and leaves the lease to expire: stop renewing it, do not revoke it.
    held?.lease.release();
    await this.#call('delete', this.#client.delete().key(key).exec(), 5_000);
  }

  async getService(name: string, options: GetServiceOptions = {}): Promise<{ services: ServiceInfo[]; index: number }> {
    const prefix = `${ETCD_PREFIX}${name.replaceAll('/', '-')}/`;
    if (options.index) await this.#watchOnce(prefix, options.index, options.waitMs ?? 300_000, options.signal);
    const res = await this.#call('get', this.#client.getAll().prefix(prefix).serializable(true).exec(), 5_000, options.signal);
    const services = groupEtcdValues(res.kvs.map((kv) => kv.value.toString()));
    return { services, index: Number(res.header.revision) };
  }

  async listServices(): Promise<string[]> {
    const res = await this.#call('get', this.#client.getAll().prefix(ETCD_PREFIX).serializable(true).exec(), 5_000);
    // One value per node: grouped one at a time (groupEtcdValues groups one service's values by version, so
    // all of them at once would fold services of the same version into the first one's name).
    return [...new Set(res.kvs.flatMap((kv) => groupEtcdValues([kv.value.toString()]).map((s) => s.name)))].sort();
  }

  /** Releases the leases (without revoking them), cancels the watches in progress, closes the connections. */
  async close(): Promise<void> {
    for (const held of this.#held.values()) held.lease.release();
    this.#held.clear();
    // A watcher left attached makes etcd3 reconnect its stream forever, closed client or not.
    for (const watcher of this.#watchers) void watcher.cancel().catch(() => undefined);
    this.#watchers.clear();
    this.#client.close();
  }

  /** Resolves at the first change under prefix after revision `index`, after waitMs, or rejects on abort. */
  async #watchOnce(prefix: string, index: number, waitMs: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    // The watcher exists (and is attached) from here on, connected or not: whatever ends the wait cancels it.
    // (WatchBuilder.create() only settles once connected: a wait ended while etcd was unreachable could not
    // cancel it, and etcd3 kept reconnecting it after close.)
    const watcher = this.#client.watch().prefix(prefix).startRevision(String(index + 1)).watcher();
    this.#watchers.add(watcher);
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (error?: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#watchers.delete(watcher);
        void watcher.cancel().catch(() => undefined);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => finish(signal!.reason);
      const timer = setTimeout(() => finish(), waitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      // 'error' stays listened to after the end: an emitter with no listener would throw it.
      watcher.on('data', () => finish());
      watcher.on('error', (e: Error) => finish(e));
    });
  }

  async #call<T>(what: string, p: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    p.catch(() => undefined);
    return new Promise<T>((resolve, reject) => {
      const fail = (why: string, cause?: unknown) =>
        reject(new RegistryRequestError(`etcd registry ${what} at ${this.address} failed: ${why}`, 0, cause === undefined ? undefined : { cause }));
      const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms (no quorum, or the members are unreachable)`), timeoutMs);
      const onAbort = () => (clearTimeout(timer), reject(signal!.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => (clearTimeout(timer), signal?.removeEventListener('abort', onAbort), resolve(v)),
        (e: unknown) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          const message = (e as Error)?.message ?? String(e);
          // Every member hung or refused (etcd3 gave up on each): say what that means for a registry.
          const unreachable = /deadline|unavailable|circuit|ECONNREFUSED|no leader/i.test(message);
          fail(unreachable ? `no member did it (${message}): no quorum, or the members are unreachable` : message, e);
        },
      );
    });
  }
}
