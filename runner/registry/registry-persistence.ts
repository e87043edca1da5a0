import type { KvStore } from './kv-store.ts';
import { PersistLog, type PersistTables } from './persist/persist-log.ts';
import type { RegistryCore } from './registry-core.ts';
import { FACE_META_KEY, type CheckRecord, type CheckStatus, type ServiceRecord } from './registry-types.ts';
import type { SessionRecord, SessionStore } from './session/session-store.ts';

/**
 * One kind of registry state that survives restarts: rows keyed by string, each a JSON value, logged
 * whenever the store says a key changed. To persist something new (a store of your own): give the store an
 * `onChange(listener(key))` hook, add a PersistedTable for it below, and put its rows back in `#restore`.
 */
export interface PersistedTable {
  readonly name: string;
  /** The row for key now, or undefined when it no longer exists. */
  read(key: string): unknown;
  /** Every row now (for a snapshot). */
  rows(): Iterable<[string, unknown]>;
  /** Calls listener(key) synchronously after each change; returns the unsubscribe function. */
  onChange(listener: (key: string) => void): () => void;
}

interface ServiceRow {
  service: ServiceRecord;
  checks: CheckRecord[];
}
interface KvRow {
  value: string | null;
  flags: string;
  lockIndex?: number;
  session?: string;
}

/** The JSON file of the first persist format (whole state, written after the fact); read once and upgraded. */
interface Version1File {
  version: 1;
  services: ServiceRow[];
  kv: ({ key: string } & KvRow)[];
  sessions?: SessionRecord[];
}

/**
 * RegistryPersistence: `registry.persist` for the embedded registry, crash-safe. Every change to a
 * service (with its checks and their state), a KV entry or a session is appended to a log (PersistLog) and
 * on disk before the HTTP answer that caused it: the registry's HTTP front awaits `durable()` before it
 * writes any reply. Changes made by timers (a TTL expiring) are logged at the next turn of the event loop.
 *
 *   store.onChange(key) ──> dirty keys ──(reply about to be written | next tick)──> log.append(row now)
 *                                                                                 ──> durable(): fsync
 *
 * load() puts the saved state back (check status and output come back, TTL timers start afresh, sessions
 * keep their IDs with a fresh TTL; a session that cannot be restored releases its locks), then writes a
 * fresh snapshot. stop() flushes, snapshots and closes.
 */
export class RegistryPersistence {
  readonly #log: PersistLog;
  readonly #core: RegistryCore;
  readonly #kv: KvStore;
  readonly #sessions: SessionStore | undefined;
  readonly #tables: PersistedTable[];
  readonly #dirty = new Map<string, Set<string>>();
  readonly #unsubscribe: (() => void)[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(path: string, stores: { core: RegistryCore; kv: KvStore; sessions?: SessionStore }, options: { onWarning?: (message: string) => void } = {}) {
    this.#core = stores.core;
    this.#kv = stores.kv;
    this.#sessions = stores.sessions;
    this.#tables = registryTables(stores);
    this.#log = new PersistLog(path, { onWarning: options.onWarning, upgrade: upgradeVersion1 });
  }

  /** Opens the files and restores what they hold; rejects with START_FAILED when they are corrupt (set aside). */
  async load(): Promise<void> {
    const saved = await this.#log.open();
    this.#restore(saved);
    const snapshot = () => new Map(this.#tables.map((t) => [t.name, new Map(t.rows())]));
    this.#log.compact(snapshot());
    this.#log.compactWith(snapshot);
    for (const table of this.#tables) {
      this.#unsubscribe.push(
        table.onChange((key) => {
          let keys = this.#dirty.get(table.name);
          if (!keys) this.#dirty.set(table.name, (keys = new Set()));
          keys.add(key);
          if (!this.#scheduled) {
            this.#scheduled = setImmediate(() => void this.durable().catch(() => undefined));
            this.#scheduled.unref();
          }
        }),
      );
    }
  }

  /** Resolves once every change made so far is on disk; rejects when the log cannot be written. */
  durable(): Promise<void> {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    for (const table of this.#tables) {
      const keys = this.#dirty.get(table.name);
      if (!keys) continue;
      for (const key of keys) this.#log.append(table.name, key, table.read(key));
    }
    this.#dirty.clear();
    return this.#log.durable();
  }

  async stop(): Promise<void> {
    await this.durable().catch(() => undefined);
    for (const off of this.#unsubscribe.splice(0)) off();
    await this.#log.close();
  }

  #restore(saved: PersistTables): void {
    for (const row of saved.get('services')?.values() ?? []) {
      const { service, checks } = row as ServiceRow;
      // A file written before face instances were left out may hold some: they register again themselves.
      if (service.meta[FACE_META_KEY] !== undefined) continue;
      const { createIndex: _c, modifyIndex: _m, ...svc } = service;
      this.#core.register({ service: svc, checks }, true);
      for (const c of checks) this.#core.setProbeResult(c.checkId, c.status as CheckStatus, c.output);
    }
    for (const row of saved.get('node-checks')?.values() ?? []) {
      for (const c of row as CheckRecord[]) {
        this.#core.registerCheck('', c);
        this.#core.setProbeResult(c.checkId, c.status as CheckStatus, c.output);
      }
    }
    // Sessions come back with their IDs and a fresh TTL (as Consul's new leader re-arms every timer); one
    // whose checks are gone or critical is not restored, and the locks it held come back released.
    const live = new Set<string>();
    for (const row of saved.get('sessions')?.values() ?? []) {
      try {
        const { id, createIndex: _c, modifyIndex: _m, ...req } = row as SessionRecord;
        this.#sessions?.create(req, id);
        live.add(id);
      } catch {
        // Invalid now: its locks are released below.
      }
    }
    for (const [key, row] of saved.get('kv') ?? []) {
      const e = row as KvRow;
      this.#kv.restore({
        key,
        value: e.value === null ? null : Buffer.from(e.value, 'base64'),
        flags: e.flags,
        lockIndex: e.lockIndex ?? 0,
        session: e.session && live.has(e.session) ? e.session : undefined,
      });
    }
  }
}

/** The registry's persisted tables: `services` (by service ID, with checks), `kv` (by key), `sessions` (by ID). */
function registryTables(stores: { core: RegistryCore; kv: KvStore; sessions?: SessionStore }): PersistedTable[] {
  const { core, kv, sessions } = stores;
  const serviceRow = (service: ServiceRecord): ServiceRow => ({ service, checks: core.store.checksOf(service.id) });
  const kvRow = (e: NonNullable<ReturnType<KvStore['get']>>): KvRow => ({
    value: e.value ? e.value.toString('base64') : null,
    flags: e.flags,
    lockIndex: e.lockIndex,
    ...(e.session ? { session: e.session } : {}),
  });
  // Instances of the Eureka and Nacos faces are not kept, as neither server keeps them: Eureka's registry
  // lives in memory (a restarted server answers the next renew 404 and the client registers again), and so
  // do Nacos's ephemeral instances (the next beat finds no instance and the client registers again).
  const kept = (s: ServiceRecord | undefined) => s !== undefined && s.meta[FACE_META_KEY] === undefined;
  const tables: PersistedTable[] = [
    {
      name: 'services',
      read: (id) => {
        const s = core.store.getService(id);
        return kept(s) ? serviceRow(s!) : undefined;
      },
      rows: () => core.store.allServices().filter(kept).map((s) => [s.id, serviceRow(s)]),
      onChange: (l) => core.store.onChange((id) => id !== '' && l(id)),
    },
    {
      // Node-level checks (maintenance mode among them) change under the service id ''.
      name: 'node-checks',
      read: (key) => (key === '' && core.store.nodeChecks().length ? core.store.nodeChecks() : undefined),
      rows: () => (core.store.nodeChecks().length ? [['', core.store.nodeChecks()]] : []),
      onChange: (l) => core.store.onChange((id) => id === '' && l('')),
    },
    {
      name: 'kv',
      read: (key) => {
        const e = kv.get(key);
        return e && kvRow(e);
      },
      rows: () => kv.all().map((e) => [e.key, kvRow(e)]),
      onChange: (l) => kv.onChange(l),
    },
  ];
  if (sessions) {
    tables.push({ name: 'sessions', read: (id) => sessions.get(id), rows: () => sessions.list().map((s) => [s.id, s]), onChange: (l) => sessions.onChange(l) });
  }
  return tables;
}

function upgradeVersion1(data: unknown): PersistTables {
  const file = data as Version1File;
  if (file?.version !== 1 || !Array.isArray(file.services) || !Array.isArray(file.kv)) throw new Error('not a micro-dev registry file (version 1 or 2)');
  return new Map<string, Map<string, unknown>>([
    ['services', new Map(file.services.map((r) => [r.service.id, r]))],
    ['kv', new Map(file.kv.map(({ key, ...row }) => [key, row]))],
    ['sessions', new Map((file.sessions ?? []).map((s) => [s.id, s]))],
  ]);
}
