import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCodes, MicroDevError } from '../errors/micro-dev-error.ts';
import type { KvStore } from './kv-store.ts';
import type { RegistryCore } from './registry-core.ts';
import type { CheckRecord, CheckStatus, ServiceRecord } from './registry-types.ts';
import type { SessionRecord, SessionStore } from './session/session-store.ts';

interface PersistedFile {
  version: 1;
  services: { service: ServiceRecord; checks: CheckRecord[] }[];
  kv: { key: string; value: string | null; flags: string; session?: string; lockIndex?: number }[];
  /** Added with sessions; absent in older files. */
  sessions?: SessionRecord[];
}

const DEBOUNCE_MS = 50;

/**
 * RegistryPersistence: keeps KV and registrations in a JSON file across restarts (`registry.persist`).
 * Loads once at start (check status and output come back; TTL timers start afresh), then writes the whole
 * state at most every 50 ms after a change (write to a temp file, then rename). stop() flushes.
 */
export class RegistryPersistence {
  readonly #path: string;
  readonly #core: RegistryCore;
  readonly #kv: KvStore;
  readonly #sessions: SessionStore | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(path: string, core: RegistryCore, kv: KvStore, sessions?: SessionStore) {
    this.#path = path;
    this.#core = core;
    this.#kv = kv;
    this.#sessions = sessions;
  }

  /** Reads the file if it exists; a corrupt file is a MicroDevError naming it (never silently dropped). */
  load(): void {
    let text: string;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new MicroDevError(ErrorCodes.START_FAILED, `registry persist file ${this.#path} cannot be read: ${(e as Error).message}`, { cause: e });
    }
    let data: PersistedFile;
    try {
      data = JSON.parse(text) as PersistedFile;
      if (data.version !== 1 || !Array.isArray(data.services) || !Array.isArray(data.kv)) throw new Error('not a micro-dev registry file (version 1)');
    } catch (e) {
      throw new MicroDevError(ErrorCodes.START_FAILED, `registry persist file ${this.#path} is corrupt: ${(e as Error).message}`, {
        cause: e,
        hints: [`delete ${this.#path} to start with an empty registry`],
      });
    }
    for (const { service, checks } of data.services) {
      const { createIndex: _c, modifyIndex: _m, ...svc } = service;
      this.#core.register({ service: svc, checks }, true);
      for (const c of checks) this.#core.setProbeResult(c.checkId, c.status as CheckStatus, c.output);
    }
    // Sessions come back with their IDs and a fresh TTL (as Consul's new leader re-arms every timer); one
    // whose checks are gone or critical is not restored, and the locks it held come back released.
    const live = new Set<string>();
    for (const s of data.sessions ?? []) {
      try {
        const { id, createIndex: _c, modifyIndex: _m, ...req } = s;
        this.#sessions?.create(req, id);
        live.add(id);
      } catch {
        // Invalid now: its locks are released below.
      }
    }
    for (const e of data.kv) {
      this.#kv.restore({
        key: e.key,
        value: e.value === null ? null : Buffer.from(e.value, 'base64'),
        flags: e.flags,
        lockIndex: e.lockIndex ?? 0,
        session: e.session && live.has(e.session) ? e.session : undefined,
      });
    }
  }

  start(): void {
    this.#unsubscribe = this.#core.store.feed.onAdvance(() => {
      this.#timer ??= setTimeout(() => this.flush(), DEBOUNCE_MS);
      this.#timer.unref();
    });
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const data: PersistedFile = {
      version: 1,
      services: this.#core.store.allServices().map((service) => ({ service, checks: this.#core.store.checksOf(service.id) })),
      kv: this.#kv.all().map((e) => ({
        key: e.key,
        value: e.value ? e.value.toString('base64') : null,
        flags: e.flags,
        lockIndex: e.lockIndex,
        ...(e.session ? { session: e.session } : {}),
      })),
      sessions: this.#sessions?.list() ?? [],
    };
    mkdirSync(dirname(this.#path), { recursive: true });
    const tmp = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.#path);
  }

  stop(): void {
    this.#unsubscribe?.();
    if (this.#timer) this.flush();
  }
}
