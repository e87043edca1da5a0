/**
 * Leader election and locks on Consul sessions (what go-micro's `sync` package gives a service: `Leader`,
 * `Lock`), over the Consul HTTP API of MICRO_REGISTRY_ADDRESS:
 *
 *   session/create {TTL, LockDelay} ──> kv PUT ?acquire=<session> ──true──> leader ──renew every TTL/3──┐
 *          ^                                  │false                        │                           │
 *          │                                  └─ watch the key (blocking) ──┘ until it is free           │
 *          └──────── step down: renew 404, key lost, or no successful renew for TTL (local deadline) ─────┘
 *
 * Safety: the registry keeps a session at least TTL after its last renew (Consul: TTL x 2), and a released
 * key cannot be taken again for LockDelay. A leader that cannot renew steps down once TTL has passed since
 * the last renew it *sent* that succeeded, before the registry may give the key to anyone else, so two
 * instances never both believe they lead (given the clocks run at the same rate).
 *
 * TTL and LockDelay are registry (model) time; `timeScale` (MICRO_DEV_TIME_SCALE under micro-dev) turns
 * them into this process's wall time. Log lines: `leader <key>: elected (session <id>)` and
 * `leader <key>: stepped down (<reason>)`.
 */
import { SystemClock, type Clock, type Timer } from './clock.ts';
import { parseDuration } from './duration.ts';

export interface LeaderOptions {
  /** The KV key whose lock is the leadership, e.g. `service/go.micro.srv.leader/leader`. */
  key: string;
  /** host:port of the Consul HTTP API. */
  registryAddress: string;
  token?: string;
  /** The session's Name (who holds the lock, as the registry and dashboard show it). */
  name: string;
  /** Stored as the key's value while leading (default: name). */
  value?: string;
  /** Session TTL in registry time (Consul: 10s..24h; default 10s). */
  ttl?: string;
  /** Session lock-delay in registry time (default 15s, Consul's). */
  lockDelay?: string;
  /** Registry time x timeScale = wall time (default 1). */
  timeScale?: number;
  clock?: Clock;
  log?: (line: string) => void;
  /** Called on every change of leadership (true: elected, false: stepped down). */
  onChange?: (leader: boolean) => void;
}

interface Entry {
  Session?: string;
  ModifyIndex: number;
}

/** Continuous candidacy: contends for the key until stop(); `isLeader` is this instance's belief. */
export class LeaderElection {
  readonly #o: Required<Omit<LeaderOptions, 'token' | 'onChange'>> & Pick<LeaderOptions, 'token' | 'onChange'>;
  readonly #ttlMs: number;
  readonly #delayMs: number;
  #leader = false;
  #session = '';
  #stopped = false;
  #running: Promise<void> | undefined;
  readonly #wakers = new Set<() => void>();
  readonly #abort = new AbortController();
  /** Aborts the current term's requests (a hanging call to a partitioned registry must not delay a step-down). */
  #termAbort = new AbortController();

  constructor(options: LeaderOptions) {
    this.#o = { value: options.name, ttl: '10s', lockDelay: '15s', timeScale: 1, clock: new SystemClock(), log: (l) => console.log(l), ...options };
    this.#ttlMs = parseDuration(this.#o.ttl, 'ttl') * this.#o.timeScale;
    this.#delayMs = parseDuration(this.#o.lockDelay, 'lockDelay') * this.#o.timeScale;
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  /** The session this instance contends with ('' between sessions). */
  get session(): string {
    return this.#session;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Steps down, releases the key and destroys the session (best effort); resolves when the loop ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#wakeAll();
    await this.#running;
    const session = this.#session;
    if (this.#leader) this.#stepDown('stopped');
    if (session) {
      await this.#call('PUT', `/v1/kv/${this.#o.key}?release=${session}`, this.#o.value, 1000).catch(() => undefined);
      await this.#call('PUT', `/v1/session/destroy/${session}`, undefined, 1000).catch(() => undefined);
    }
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#term();
      } catch {
        // The registry is unreachable or answered oddly: try again shortly.
      }
      if (this.#leader) this.#stepDown('session lost');
      if (this.#stopped) break;
      // A session we no longer trust is given back (releases the key now instead of at its TTL).
      const stale = this.#session;
      this.#session = '';
      if (stale) void this.#call('PUT', `/v1/session/destroy/${stale}`, undefined, this.#ttlMs).catch(() => undefined);
      await this.#sleep(Math.max(20, this.#ttlMs / 10));
    }
  }

  /** One session's life: create, keep renewing, contend for the key; returns when the session is lost. */
  async #term(): Promise<void> {
    const term = (this.#termAbort = new AbortController());
    const created = await this.#call('PUT', '/v1/session/create', JSON.stringify({ Name: this.#o.name, TTL: this.#o.ttl, LockDelay: this.#o.lockDelay, Behavior: 'release' }), this.#ttlMs);
    if (created.status !== 200) throw new Error(`session create: ${created.status} ${created.text}`);
    const session = (JSON.parse(created.text) as { ID: string }).ID;
    this.#session = session;
    let lost: string | undefined;
    let lastOk = this.#o.clock.now();
    let deadline: Timer | undefined;
    // Stepping down is immediate: in-flight calls of this term are aborted, not awaited.
    const lose = (reason: string) => {
      lost ??= reason;
      this.#stepDown(reason);
      term.abort();
      this.#wakeAll();
    };
    const arm = () => {
      deadline?.cancel();
      deadline = this.#o.clock.setTimeout(() => lose('no renew within TTL'), Math.max(0, lastOk + this.#ttlMs - this.#o.clock.now()));
    };
    arm();
    const renewEvery = Math.max(20, this.#ttlMs / 3);
    const renewer = (async () => {
      while (!lost && !this.#stopped) {
        await this.#sleep(renewEvery);
        if (lost || this.#stopped) break;
        const sentAt = this.#o.clock.now();
        try {
          const res = await this.#call('PUT', `/v1/session/renew/${session}`, undefined, Math.max(20, lastOk + this.#ttlMs - sentAt));
          if (res.status === 404) lose('session invalidated');
          else if (res.status === 200) {
            lastOk = sentAt;
            arm();
          }
        } catch {
          // Unreachable: the deadline decides.
        }
      }
    })();
    try {
      while (!lost && !this.#stopped) {
        const took = await this.#call('PUT', `/v1/kv/${this.#o.key}?acquire=${session}`, this.#o.value, this.#ttlMs).catch(() => undefined);
        if (lost || this.#stopped) break;
        if (took?.status === 200 && took.text === 'true') {
          this.#elect(session);
          await this.#holdWhile(session, () => lost === undefined && !this.#stopped, lose);
          break;
        }
        if (took?.status === 500 && took.text.startsWith('invalid session')) {
          lose('session invalidated');
          break;
        }
        // Held by another session: wait for it to go; free but refused: lock-delay, retry soon.
        const entry = await this.#read(0).catch(() => undefined);
        if (entry?.entry?.Session) await this.#read(entry.index, (e) => !e?.Session || !!lost || this.#stopped).catch(() => undefined);
        else await this.#sleep(Math.max(20, this.#delayMs / 4));
      }
    } finally {
      deadline?.cancel();
      if (this.#leader) this.#stepDown(lost ?? 'stopped');
      lost ??= 'stopped';
      term.abort();
      this.#wakeAll();
      await renewer;
    }
  }

  /** While leading: watch the key; losing it (deleted, or another session) ends the term. */
  async #holdWhile(session: string, holding: () => boolean, lose: (reason: string) => void): Promise<void> {
    let index = 0;
    while (holding()) {
      const got = await this.#read(index, (e) => e?.Session !== session || !holding()).catch(() => undefined);
      if (!holding()) return;
      if (!got) {
        await this.#sleep(Math.max(20, this.#ttlMs / 10));
        continue;
      }
      if (got.entry?.Session !== session) return lose('lock lost');
      index = got.index;
    }
  }

  /** GET the key; with `until`, long-polls (blocking queries) until it holds or the term ends. */
  async #read(index: number, until?: (e: Entry | undefined) => boolean): Promise<{ entry: Entry | undefined; index: number }> {
    let i = index;
    for (;;) {
      const waitMs = Math.max(50, Math.round(this.#ttlMs));
      const res = await this.#call('GET', `/v1/kv/${this.#o.key}${i ? `?index=${i}&wait=${waitMs}ms` : ''}`, undefined, waitMs * 1.2 + 500);
      const next = Number(res.headers.get('x-consul-index') ?? 0);
      const entry = res.status === 200 ? (JSON.parse(res.text) as Entry[])[0] : undefined;
      if (!until || until(entry)) return { entry, index: next };
      if (next < i) i = 0;
      else i = next;
      if (this.#stopped) return { entry, index: next };
    }
  }

  #elect(session: string): void {
    this.#leader = true;
    this.#o.log(`leader ${this.#o.key}: elected (session ${session})`);
    this.#o.onChange?.(true);
  }

  #stepDown(reason: string): void {
    if (!this.#leader) return;
    this.#leader = false;
    this.#o.log(`leader ${this.#o.key}: stepped down (${reason})`);
    this.#o.onChange?.(false);
  }

  /** Sleeps on the clock; a step-down or stop() wakes every sleeper at once. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        t.cancel();
        this.#wakers.delete(done);
        resolve();
      };
      const t = this.#o.clock.setTimeout(done, ms);
      this.#wakers.add(done);
    });
  }

  #wakeAll(): void {
    for (const w of [...this.#wakers]) w();
  }

  async #call(method: 'GET' | 'PUT', path: string, body: string | undefined, timeoutMs: number): Promise<{ status: number; text: string; headers: Headers }> {
    const abort = new AbortController();
    const onStop = () => abort.abort();
    // Stop aborts everything; a lost term aborts its own calls (not the release/destroy sent after it).
    const term = path.includes('/session/destroy/') || path.includes('?release=') ? undefined : this.#termAbort.signal;
    if (term?.aborted || this.#abort.signal.aborted && !path.includes('/session/destroy/') && !path.includes('?release=')) abort.abort();
    this.#abort.signal.addEventListener('abort', onStop, { once: true });
    term?.addEventListener('abort', onStop, { once: true });
    const timer = setTimeout(() => abort.abort(), Math.max(1, timeoutMs));
    try {
      const res = await fetch(`http://${this.#o.registryAddress}${path}`, {
        method,
        body,
        signal: abort.signal,
        headers: this.#o.token ? { 'X-Consul-Token': this.#o.token } : {},
      });
      return { status: res.status, text: await res.text(), headers: res.headers };
    } finally {
      clearTimeout(timer);
      this.#abort.signal.removeEventListener('abort', onStop);
      term?.removeEventListener('abort', onStop);
    }
  }
}

/** A held lock: `lost` resolves (with the reason) if it is lost before unlock(). */
export interface HeldLock {
  readonly lost: Promise<string>;
  unlock(): Promise<void>;
}

/**
 * Waits until the lock on `key` is held by this process (go-micro `sync.Lock`), on its own session; the
 * session is renewed until unlock().
 */
export async function lock(key: string, options: Omit<LeaderOptions, 'key' | 'onChange'>): Promise<HeldLock> {
  let onLost: (reason: string) => void = () => {};
  const lost = new Promise<string>((resolve) => (onLost = resolve));
  let held: () => void = () => {};
  const acquired = new Promise<void>((resolve) => (held = resolve));
  const log = options.log ?? (() => {});
  const election = new LeaderElection({
    ...options,
    key,
    log: (line) => {
      log(line);
      const m = /stepped down \((.*)\)$/.exec(line);
      if (m) {
        onLost(m[1]!);
        // A lock is held once: losing it ends the candidacy.
        void election.stop();
      }
    },
    onChange: (leader) => {
      if (leader) held();
    },
  });
  election.start();
  await acquired;
  return { lost, unlock: () => election.stop() };
}
