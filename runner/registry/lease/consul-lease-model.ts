import type { Timer } from '../../clock/clock.ts';
import type { CheckRecord, InstanceLeaseStatus, RegistryStatus, ServiceDefinition, ServiceRecord } from '../registry-types.ts';
import type { CatalogView, LeaseHost, LeaseModel } from './lease-model.ts';
import { repeatingTimer } from './repeating-timer.ts';

export interface ConsulLeaseOptions {
  /** `check_deregister_interval_min` (default 1 m). */
  deregisterMinMs?: number;
  /** `check_reap_interval` (default 30 s). */
  reapIntervalMs?: number;
}

/**
 * Consul's TTL checks: each pass/warn/fail/update resets the TTL timer; on expiry the check turns critical
 * with "TTL expired"; a reaper every 30 s removes a service whose check has been critical for longer than
 * max(DeregisterCriticalServiceAfter, 1 m).
 */
export class ConsulLeaseModel implements LeaseModel {
  readonly semantics = 'consul' as const;
  readonly initialTtlStatus = 'critical' as const;
  readonly #host: LeaseHost;
  readonly #deregisterMinMs: number;
  readonly #ttlTimers = new Map<string, { timer: Timer; due: number; fireAt: number }>();
  readonly #lastHeartbeat = new Map<string, number>();
  readonly #reaper: Timer;

  constructor(host: LeaseHost, options: ConsulLeaseOptions = {}) {
    this.#host = host;
    this.#deregisterMinMs = options.deregisterMinMs ?? 60_000;
    this.#reaper = repeatingTimer(host.clock, options.reapIntervalMs ?? 30_000, () => this.#reap());
  }

  validate(_def: ServiceDefinition): string | undefined {
    return undefined;
  }

  onRegistered(_service: ServiceRecord, written: CheckRecord[]): void {
    for (const c of written) if (c.type === 'ttl') this.#arm(c);
  }

  onNodeChecks(checks: CheckRecord[]): void {
    for (const c of checks) if (c.type === 'ttl') this.#arm(c);
  }

  onHeartbeat(check: CheckRecord): void {
    this.#lastHeartbeat.set(check.serviceId, this.#host.clock.now());
    this.#arm(check);
  }

  onRemoved(serviceId: string, checks: CheckRecord[]): void {
    for (const c of checks) this.#disarm(c.checkId);
    this.#lastHeartbeat.delete(serviceId);
  }

  readView(): CatalogView {
    return { data: this.#host.store, feed: this.#host.store.feed };
  }

  leaseOf(service: ServiceRecord): Pick<InstanceLeaseStatus, 'lastHeartbeatAgoMs' | 'leaseLeftMs'> {
    const now = this.#host.clock.now();
    const last = this.#lastHeartbeat.get(service.id);
    let left: number | null = null;
    for (const c of this.#host.store.checksOf(service.id)) {
      const t = this.#ttlTimers.get(c.checkId);
      if (t) left = Math.min(left ?? Infinity, Math.max(0, t.due - now));
    }
    return { lastHeartbeatAgoMs: last === undefined ? null : now - last, leaseLeftMs: left };
  }

  statusExtras(): Partial<RegistryStatus> {
    return {};
  }

  stop(): void {
    this.#reaper.cancel();
    for (const id of [...this.#ttlTimers.keys()]) this.#disarm(id);
  }

  // A pass only moves `due`; the timer wakes at its old time and re-sleeps until `due`, so heartbeats cost no
  // timer churn (thousands of passes per second).
  #arm(check: CheckRecord): void {
    const due = this.#host.clock.now() + check.ttlMs;
    const entry = this.#ttlTimers.get(check.checkId);
    if (entry && entry.fireAt <= due) {
      entry.due = due;
      return;
    }
    entry?.timer.cancel();
    this.#schedule(check.checkId, due);
  }

  #schedule(checkId: string, due: number): void {
    const wait = Math.max(0, due - this.#host.clock.now());
    const timer = this.#host.clock.setTimeout(() => {
      const entry = this.#ttlTimers.get(checkId);
      if (!entry) return;
      if (this.#host.clock.now() < entry.due) return this.#schedule(checkId, entry.due);
      this.#expire(checkId);
    }, wait);
    this.#ttlTimers.set(checkId, { timer, due, fireAt: due });
  }

  #disarm(checkId: string): void {
    this.#ttlTimers.get(checkId)?.timer.cancel();
    this.#ttlTimers.delete(checkId);
  }

  #expire(checkId: string): void {
    this.#ttlTimers.delete(checkId);
    const check = this.#host.store.getCheck(checkId);
    if (!check) return;
    const output = check.output ? `TTL expired (last output before timeout follows): ${check.output}` : 'TTL expired';
    this.#host.setCheck(checkId, 'critical', output);
  }

  #reap(): void {
    const now = this.#host.clock.now();
    const doomed = new Set<string>();
    for (const c of this.#host.store.allChecks()) {
      // DeregisterCriticalServiceAfter reaps services; a node-level check has none to remove.
      if (c.serviceId === '' || c.deregisterCriticalServiceAfterMs <= 0 || c.criticalSince === null) continue;
      const timeout = Math.max(c.deregisterCriticalServiceAfterMs, this.#deregisterMinMs);
      if (now - c.criticalSince > timeout) doomed.add(c.serviceId);
    }
    for (const id of doomed) this.#host.removeService(id, 'reaped');
  }
}
