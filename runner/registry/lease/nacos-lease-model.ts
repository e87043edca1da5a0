import type { Timer } from '../../clock/clock.ts';
import type { CheckRecord, InstanceLeaseStatus, RegistryStatus, ServiceDefinition, ServiceRecord } from '../registry-types.ts';
import type { CatalogView, LeaseHost, LeaseModel } from './lease-model.ts';
import { repeatingTimer } from './repeating-timer.ts';

export interface NacosLeaseOptions {
  /** Service protect threshold in [0, 1]: at or below this healthy ratio, `?passing` returns everyone. */
  protectThreshold: number;
  beatIntervalMs?: number;
  beatTimeoutMs?: number;
  ipDeleteTimeoutMs?: number;
  /** ClientBeatCheckTaskV2 cadence. */
  checkIntervalMs?: number;
  /** Which services' protection this model publishes (the Nacos face: its own; default every service). */
  scope?: (service: ServiceRecord) => boolean;
}

const KEYS = {
  interval: 'preserved.heart.beat.interval',
  timeout: 'preserved.heart.beat.timeout',
  delete: 'preserved.ip.delete.timeout',
} as const;

interface Beat {
  serviceId: string;
  lastBeat: number;
  lastBeatFromClient: number | null;
  intervalMs: number;
  timeoutMs: number;
  deleteMs: number;
  healthy: boolean;
}

/**
 * Nacos ephemeral instances (reference/registry.md §4) on the Consul wire: a TTL pass is a beat. A checker
 * every 5 s marks instances unhealthy (TTL checks critical) after 15 s without a beat and deletes them
 * after 30 s; `preserved.*` metadata overrides the three timings per instance. The protect threshold makes
 * `?passing` return every instance (as passing) when the healthy ratio is at or below it.
 */
export class NacosLeaseModel implements LeaseModel {
  readonly semantics = 'nacos' as const;
  readonly initialTtlStatus = 'passing' as const;
  readonly #host: LeaseHost;
  readonly #o: Required<NacosLeaseOptions>;
  readonly #beats = new Map<string, Beat>();
  readonly #timer: Timer;
  readonly #protected = new Set<string>();

  constructor(host: LeaseHost, options: NacosLeaseOptions) {
    this.#host = host;
    this.#o = { beatIntervalMs: 5000, beatTimeoutMs: 15_000, ipDeleteTimeoutMs: 30_000, checkIntervalMs: 5000, scope: () => true, ...options };
    this.#timer = repeatingTimer(host.clock, this.#o.checkIntervalMs, () => this.check());
  }

  validate(def: ServiceDefinition): string | undefined {
    const t = this.#timings(def.service.meta);
    if (!t) return 'instance format invalid: preserved.* heart beat metadata must be whole milliseconds';
    if (t.timeoutMs < t.intervalMs || t.deleteMs < t.intervalMs) {
      return "Instance 'heart beat interval' must less than 'heart beat timeout' and 'ip delete timeout'.";
    }
    return undefined;
  }

  onRegistered(service: ServiceRecord): void {
    if (!this.#host.store.checksOf(service.id).some((c) => c.type === 'ttl')) return;
    const t = this.#timings(service.meta)!;
    const old = this.#beats.get(service.id);
    this.#beats.set(service.id, {
      serviceId: service.id,
      lastBeat: this.#host.clock.now(),
      lastBeatFromClient: old?.lastBeatFromClient ?? null,
      ...t,
      healthy: true,
    });
  }

  onHeartbeat(check: CheckRecord): void {
    const beat = this.#beats.get(check.serviceId);
    if (!beat) return;
    const now = this.#host.clock.now();
    beat.lastBeat = now;
    beat.lastBeatFromClient = now;
    beat.healthy = check.status !== 'critical';
  }

  onRemoved(serviceId: string): void {
    this.#beats.delete(serviceId);
  }

  readView(): CatalogView {
    return { data: this.#host.store, feed: this.#host.store.feed };
  }

  /** One ClientBeatCheckTask run (public for tests): unhealthy after timeout, deleted after delete timeout. */
  check(): void {
    const now = this.#host.clock.now();
    for (const b of [...this.#beats.values()]) {
      const silent = now - b.lastBeat;
      if (silent > b.deleteMs) {
        this.#host.removeService(b.serviceId, 'evicted');
        continue;
      }
      if (silent > b.timeoutMs && b.healthy) {
        b.healthy = false;
        for (const c of this.#host.store.checksOf(b.serviceId)) {
          if (c.type === 'ttl') this.#host.setCheck(c.checkId, 'critical', `nacos: no beat for ${Math.round(silent)}ms (timeout ${b.timeoutMs}ms)`);
        }
      }
    }
    this.#publishProtection();
  }

  protect(service: string, entries: { service: ServiceRecord; checks: CheckRecord[] }[]) {
    if (entries.length === 0) return undefined;
    const healthy = entries.filter((e) => e.checks.every((c) => c.status === 'passing')).length;
    if (healthy / entries.length > this.#o.protectThreshold) return undefined;
    void service;
    // Nacos deep-copies the unhealthy ones with healthy=true: callers see every instance as passing.
    return entries.map((e) => ({ service: e.service, checks: e.checks.map((c) => (c.status === 'passing' ? c : { ...c, status: 'passing' as const })) }));
  }

  leaseOf(service: ServiceRecord): Pick<InstanceLeaseStatus, 'lastHeartbeatAgoMs' | 'leaseLeftMs'> {
    const b = this.#beats.get(service.id);
    if (!b) return { lastHeartbeatAgoMs: null, leaseLeftMs: null };
    const now = this.#host.clock.now();
    const due = b.lastBeat + (b.healthy ? b.timeoutMs : b.deleteMs);
    return {
      lastHeartbeatAgoMs: b.lastBeatFromClient === null ? null : now - b.lastBeatFromClient,
      leaseLeftMs: Math.max(0, due - now),
    };
  }

  statusExtras(): Partial<RegistryStatus> {
    return { protectedServices: [...this.#protected] };
  }

  stop(): void {
    this.#timer.cancel();
  }

  #timings(meta: Record<string, string>): Pick<Beat, 'intervalMs' | 'timeoutMs' | 'deleteMs'> | undefined {
    const read = (key: string, dflt: number) => {
      const v = meta[key] ?? meta[key.replaceAll('.', '_')] ?? meta[key.replaceAll('.', '-')];
      if (v === undefined) return dflt;
      return /^\d+$/.test(v) ? Number(v) : NaN;
    };
    const t = {
      intervalMs: read(KEYS.interval, this.#o.beatIntervalMs),
      timeoutMs: read(KEYS.timeout, this.#o.beatTimeoutMs),
      deleteMs: read(KEYS.delete, this.#o.ipDeleteTimeoutMs),
    };
    return Object.values(t).some(Number.isNaN) ? undefined : t;
  }

  #publishProtection(): void {
    const names = new Set(this.#host.store.allServices().filter(this.#o.scope).map((s) => s.name));
    for (const name of new Set([...names, ...this.#protected])) {
      const entries = this.#host.store.instancesOf(name).map((service) => ({ service, checks: this.#host.store.checksOf(service.id) }));
      const reached = this.protect(name, entries) !== undefined;
      if (reached === this.#protected.has(name)) continue;
      if (reached) this.#protected.add(name);
      else this.#protected.delete(name);
      const healthy = entries.filter((e) => e.checks.every((c) => c.status === 'passing')).length;
      this.#host.emit({ type: 'protect-threshold', at: this.#host.wallNow(), service: name, reached, healthy, total: entries.length });
    }
  }
}
