import type { Timer } from '../../clock/clock.ts';
import { CatalogData } from '../catalog-data.ts';
import { IndexFeed } from '../index-feed.ts';
import type { CheckRecord, InstanceLeaseStatus, RegistryStatus, ServiceDefinition, ServiceRecord } from '../registry-types.ts';
import type { CatalogView, LeaseHost, LeaseModel } from './lease-model.ts';
import { repeatingTimer } from './repeating-timer.ts';

export interface EurekaLeaseOptions {
  /** Lease.renew() sets lastUpdate = now + duration, so a renewed lease lasts 2x duration (Eureka's quirk). */
  doubleExpiryQuirk: boolean;
  enableSelfPreservation: boolean;
  /** leaseInfo.durationInSecs default (the TTL of the instance's TTL check wins when set). */
  leaseDurationMs?: number;
  evictionIntervalMs?: number;
  renewalPercentThreshold?: number;
  expectedClientRenewalIntervalMs?: number;
  /** shouldUseReadOnlyResponseCache: reads see the catalog as of the last 30 s sync. */
  readOnlyCache?: boolean;
  responseCacheUpdateIntervalMs?: number;
  /** Picks victims when eviction is capped (Knuth shuffle); injectable for deterministic tests. */
  random?: () => number;
}

interface Lease {
  serviceId: string;
  registeredAt: number;
  lastUpdate: number;
  lastRenew: number | null;
  durationMs: number;
}

/**
 * Netflix Eureka's lease rules on the Consul wire (reference/registry.md §3). A TTL pass/warn/fail is a
 * renew. Instances never turn critical by time: they stay listed until the eviction task (every 60 s)
 * removes expired leases, at most 15 % of the registry per run, and only while renewals in the last
 * minute exceed (int)(expected x 2 x 0.85) - otherwise self-preservation keeps everyone.
 * Catalog and health reads come from a read-only cache refreshed every 30 s.
 */
export class EurekaLeaseModel implements LeaseModel {
  readonly semantics = 'eureka' as const;
  readonly initialTtlStatus = 'passing' as const;
  readonly #host: LeaseHost;
  readonly #o: Required<EurekaLeaseOptions>;
  readonly #leases = new Map<string, Lease>();
  readonly #timers: Timer[] = [];
  #renewsThisMin = 0;
  #renewsLastMin = 0;
  #selfPreservation: boolean;
  #cache: CatalogData | undefined;
  readonly #cacheFeed: IndexFeed | undefined;

  constructor(host: LeaseHost, options: EurekaLeaseOptions) {
    this.#host = host;
    this.#o = {
      leaseDurationMs: 90_000,
      evictionIntervalMs: 60_000,
      renewalPercentThreshold: 0.85,
      expectedClientRenewalIntervalMs: 30_000,
      readOnlyCache: true,
      responseCacheUpdateIntervalMs: 30_000,
      random: Math.random,
      ...options,
    };
    this.#selfPreservation = this.#o.enableSelfPreservation;
    const clock = host.clock;
    // MeasuredRate: a 60 s bucket; renewsLastMin is the previous full minute.
    this.#timers.push(repeatingTimer(clock, 60_000, () => this.#rollMinute()));
    this.#timers.push(repeatingTimer(clock, this.#o.evictionIntervalMs, (elapsed) => this.evict(Math.max(0, elapsed - this.#o.evictionIntervalMs))));
    if (this.#o.readOnlyCache) {
      this.#cache = host.store.freeze();
      this.#cacheFeed = new IndexFeed(this.#cache.index);
      const every = this.#o.responseCacheUpdateIntervalMs;
      // Aligned to interval boundaries of model time, as ResponseCacheImpl aligns to wall-clock seconds.
      const first = every - (clock.now() % every || every) || every;
      this.#timers.push(repeatingTimer(clock, every, () => this.#syncCache(), first));
    }
  }

  validate(_def: ServiceDefinition): string | undefined {
    return undefined;
  }

  onRegistered(service: ServiceRecord, written: CheckRecord[], created: boolean): void {
    const ttl = this.#host.store.checksOf(service.id).find((c) => c.type === 'ttl');
    if (!ttl) return;
    const existing = this.#leases.get(service.id);
    const now = this.#host.clock.now();
    if (existing && !created) {
      // Re-register = a fresh registration of the same instance (Eureka's register replaces the lease).
      existing.durationMs = ttl.ttlMs || this.#o.leaseDurationMs;
      existing.registeredAt = now;
      existing.lastUpdate = now;
      return;
    }
    void written;
    this.#leases.set(service.id, {
      serviceId: service.id,
      registeredAt: now,
      lastUpdate: now,
      lastRenew: null,
      durationMs: ttl.ttlMs || this.#o.leaseDurationMs,
    });
    this.#publishSelfPreservation();
  }

  onHeartbeat(check: CheckRecord): void {
    const lease = this.#leases.get(check.serviceId);
    if (!lease) return;
    const now = this.#host.clock.now();
    lease.lastRenew = now;
    lease.lastUpdate = this.#o.doubleExpiryQuirk ? now + lease.durationMs : now;
    this.#renewsThisMin++;
  }

  onRemoved(serviceId: string): void {
    if (this.#leases.delete(serviceId)) this.#publishSelfPreservation();
  }

  readView(): CatalogView {
    if (this.#cache && this.#cacheFeed) return { data: this.#cache, feed: this.#cacheFeed };
    return { data: this.#host.store, feed: this.#host.store.feed };
  }

  /** (int)(expected x (60 / renewal interval) x percent); expected = live leases (Spring Cloud's fix). */
  get threshold(): number {
    const perMin = 60_000 / this.#o.expectedClientRenewalIntervalMs;
    return Math.floor(this.#leases.size * perMin * this.#o.renewalPercentThreshold);
  }

  /** isLeaseExpirationEnabled(): off (self-preservation) while renewals in the last minute <= threshold. */
  get expiryEnabled(): boolean {
    if (!this.#o.enableSelfPreservation) return true;
    return this.threshold > 0 && this.#renewsLastMin > this.threshold;
  }

  isExpired(lease: Lease, extraMs = 0): boolean {
    return this.#host.clock.now() > lease.lastUpdate + lease.durationMs + extraMs;
  }

  /** One eviction run (public for tests): expired leases, capped at size - (int)(size x 0.85). */
  evict(compensationMs = 0): void {
    if (!this.expiryEnabled) return;
    const expired = [...this.#leases.values()].filter((l) => this.isExpired(l, compensationMs));
    if (expired.length === 0) return;
    const size = this.#leases.size;
    const limit = size - Math.floor(size * this.#o.renewalPercentThreshold);
    const count = Math.min(expired.length, limit);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(this.#o.random() * (expired.length - i));
      [expired[i], expired[j]] = [expired[j], expired[i]];
      this.#host.removeService(expired[i].serviceId, 'evicted');
    }
  }

  leaseOf(service: ServiceRecord): Pick<InstanceLeaseStatus, 'lastHeartbeatAgoMs' | 'leaseLeftMs'> {
    const lease = this.#leases.get(service.id);
    if (!lease) return { lastHeartbeatAgoMs: null, leaseLeftMs: null };
    const now = this.#host.clock.now();
    return {
      lastHeartbeatAgoMs: lease.lastRenew === null ? null : now - lease.lastRenew,
      leaseLeftMs: Math.max(0, lease.lastUpdate + lease.durationMs - now),
    };
  }

  statusExtras(): Partial<RegistryStatus> {
    return { renewsLastMin: this.#renewsLastMin, renewThreshold: this.threshold, selfPreservation: !this.expiryEnabled };
  }

  stop(): void {
    for (const t of this.#timers) t.cancel();
    this.#cacheFeed?.close();
  }

  #rollMinute(): void {
    this.#renewsLastMin = this.#renewsThisMin;
    this.#renewsThisMin = 0;
    const at = this.#host.wallNow();
    this.#host.emit({ type: 'renew-rate', at, renewsLastMin: this.#renewsLastMin, threshold: this.threshold });
    this.#publishSelfPreservation();
  }

  // The threshold moves with registrations and evictions too, so the state can flip between minute rolls.
  #publishSelfPreservation(): void {
    const on = !this.expiryEnabled;
    if (on === this.#selfPreservation) return;
    this.#selfPreservation = on;
    this.#host.emit({
      type: 'self-preservation',
      at: this.#host.wallNow(),
      enabled: on,
      renewsLastMin: this.#renewsLastMin,
      threshold: this.threshold,
    });
  }

  #syncCache(): void {
    if (!this.#cacheFeed) return;
    this.#cache = this.#host.store.freeze();
    this.#cacheFeed.advanceTo(this.#cache.index);
  }
}
