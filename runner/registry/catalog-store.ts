import { CatalogData } from './catalog-data.ts';
import { IndexFeed } from './index-feed.ts';
import type { CheckDefinition, CheckRecord, CheckStatus, ServiceDefinition, ServiceRecord } from './registry-types.ts';

export interface PutServiceResult {
  service: ServiceRecord;
  /** Every check of the service after the write (kept ones carry their previous status and output). */
  checks: CheckRecord[];
  /** Checks that this write created or replaced (their timers must restart). */
  written: CheckRecord[];
  removedChecks: CheckRecord[];
  created: boolean;
}

/**
 * CatalogStore: the one writer of the agent's services and checks. Every write that changes what a read
 * would return bumps the shared index once (a TTL pass that changes nothing does not, so blocking
 * watchers are not woken by heartbeats).
 */
export class CatalogStore extends CatalogData {
  readonly feed: IndexFeed;
  readonly #changeListeners = new Set<(serviceId: string) => void>();

  constructor(feed: IndexFeed) {
    super();
    this.feed = feed;
    this.dataIndex = feed.index;
  }

  /**
   * Calls listener(serviceId) synchronously after every change of a service or one of its checks (status
   * included): persistence logs the service with its checks.
   */
  onChange(listener: (serviceId: string) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /**
   * Adds or replaces a service. Checks without an ID get `service:<id>` (or `service:<id>:<i>` when there
   * are several); a check that already existed keeps its status, output and critical clock.
   */
  putService(def: ServiceDefinition, opts: { replaceExistingChecks: boolean; initialStatus: CheckStatus }): PutServiceResult {
    const index = this.#nextIndex();
    const prev = this.services.get(def.service.id);
    if (prev && prev.name !== def.service.name) this.#unlinkName(prev);
    const service: ServiceRecord = {
      ...def.service,
      createIndex: prev?.createIndex ?? index,
      modifyIndex: index,
    };
    this.services.set(service.id, service);
    let names = this.byName.get(service.name);
    if (!names) this.byName.set(service.name, (names = new Set()));
    names.add(service.id);

    const ids = checkIds(service.id, def.checks);
    const existing = this.checksByService.get(service.id) ?? new Set<string>();
    const written: CheckRecord[] = [];
    for (const [i, d] of def.checks.entries()) {
      const checkId = ids[i];
      const old = this.checks.get(checkId);
      const record: CheckRecord = {
        ...d,
        checkId,
        name: d.name || `Service '${service.name}' check`,
        status: old ? old.status : (d.status ?? opts.initialStatus),
        output: old ? old.output : '',
        criticalSince: old ? old.criticalSince : null,
        serviceId: service.id,
        serviceName: service.name,
        serviceTags: service.tags,
        createIndex: old?.createIndex ?? index,
        modifyIndex: index,
      };
      if (old && old.serviceId !== service.id) this.checksByService.get(old.serviceId)?.delete(checkId);
      this.checks.set(checkId, record);
      written.push(record);
    }
    const keep = new Set(ids);
    const removedChecks: CheckRecord[] = [];
    for (const id of existing) {
      if (keep.has(id)) continue;
      const c = this.checks.get(id);
      if (!c) continue;
      if (opts.replaceExistingChecks) {
        this.checks.delete(id);
        removedChecks.push(c);
      } else {
        // Surviving checks see the new service tags/name, as Consul's catalog join does.
        this.checks.set(id, { ...c, serviceName: service.name, serviceTags: service.tags, modifyIndex: index });
      }
    }
    const all = new Set([...existing].filter((id) => this.checks.has(id)));
    for (const id of ids) all.add(id);
    this.checksByService.set(service.id, all);
    this.#published(index, service.id);
    return { service, checks: this.checksOf(service.id), written, removedChecks, created: !prev };
  }

  /**
   * Adds or replaces one check (agent/check/register) of an existing service, or of the node when
   * `serviceId` is '' (a node-level check: no service name or tags); keeps a previous state.
   */
  putCheck(serviceId: string, def: CheckDefinition & { checkId: string }, initialStatus: CheckStatus): CheckRecord {
    const service = serviceId === '' ? undefined : this.services.get(serviceId)!;
    const index = this.#nextIndex();
    const old = this.checks.get(def.checkId);
    if (old && old.serviceId !== serviceId) this.checksByService.get(old.serviceId)?.delete(def.checkId);
    const record: CheckRecord = {
      ...def,
      name: def.name || def.checkId,
      status: old ? old.status : (def.status ?? initialStatus),
      output: old ? old.output : '',
      criticalSince: old ? old.criticalSince : null,
      serviceId,
      serviceName: service?.name ?? '',
      serviceTags: service?.tags ?? [],
      createIndex: old?.createIndex ?? index,
      modifyIndex: index,
    };
    this.checks.set(record.checkId, record);
    const ids = this.checksByService.get(serviceId) ?? new Set<string>();
    ids.add(record.checkId);
    this.checksByService.set(serviceId, ids);
    this.#published(index, serviceId);
    if (old && old.serviceId !== serviceId) this.#changed(old.serviceId);
    return record;
  }

  /** Removes one check; undefined when unknown. */
  removeCheck(checkId: string): CheckRecord | undefined {
    const old = this.checks.get(checkId);
    if (!old) return undefined;
    const index = this.#nextIndex();
    this.checks.delete(checkId);
    this.checksByService.get(old.serviceId)?.delete(checkId);
    this.#published(index, old.serviceId);
    return old;
  }

  /** Removes a service and all its checks; undefined when unknown (no index bump). */
  removeService(id: string): { service: ServiceRecord; checks: CheckRecord[] } | undefined {
    const service = this.services.get(id);
    if (!service) return undefined;
    const index = this.#nextIndex();
    const checks = this.checksOf(id);
    for (const c of checks) this.checks.delete(c.checkId);
    this.checksByService.delete(id);
    this.services.delete(id);
    this.#unlinkName(service);
    this.#published(index, id);
    return { service, checks };
  }

  /**
   * Sets a check's status and output. Returns the new record and whether anything visible changed.
   * The critical clock starts on the first update to critical (not at registration) and clears on recovery.
   */
  setCheckStatus(checkId: string, status: CheckStatus, output: string, now: number): { check: CheckRecord; changed: boolean; previous: CheckStatus } | undefined {
    const old = this.checks.get(checkId);
    if (!old) return undefined;
    const criticalSince = status === 'critical' ? (old.criticalSince ?? now) : null;
    if (old.status === status && old.output === output) {
      if (criticalSince !== old.criticalSince) this.checks.set(checkId, { ...old, criticalSince });
      return { check: this.checks.get(checkId)!, changed: false, previous: old.status };
    }
    const index = this.#nextIndex();
    const check: CheckRecord = { ...old, status, output, criticalSince, modifyIndex: index };
    this.checks.set(checkId, check);
    this.#published(index, check.serviceId);
    return { check, changed: true, previous: old.status };
  }

  #nextIndex(): number {
    return this.feed.index + 1;
  }

  // The data index moves before the feed wakes waiters, so a woken reader sees the new state.
  #published(index: number, serviceId: string): void {
    this.dataIndex = index;
    this.#changed(serviceId);
    this.feed.advanceTo(index);
  }

  #changed(serviceId: string): void {
    for (const l of this.#changeListeners) l(serviceId);
  }

  #unlinkName(service: ServiceRecord): void {
    const names = this.byName.get(service.name);
    names?.delete(service.id);
    if (names && names.size === 0) this.byName.delete(service.name);
  }
}

/** Consul's default check IDs: `service:<id>` for one check, `service:<id>:<i>` (from 1) for several. */
export function checkIds(serviceId: string, checks: CheckDefinition[]): string[] {
  return checks.map((c, i) =>
    c.checkId ? c.checkId : checks.length > 1 ? `service:${serviceId}:${i + 1}` : `service:${serviceId}`,
  );
}
