import type { CheckRecord, ServiceRecord } from './registry-types.ts';

/**
 * CatalogData: the read side of the catalog (services and checks by id, by name, by service), with the
 * index it was read at. Records are immutable: writers replace them, so a copy of the maps (freeze) is a
 * consistent snapshot - that is how the Eureka model serves reads from its 30 s read-only cache.
 */
export class CatalogData {
  protected services = new Map<string, ServiceRecord>();
  protected checks = new Map<string, CheckRecord>();
  protected byName = new Map<string, Set<string>>();
  protected checksByService = new Map<string, Set<string>>();
  protected dataIndex = 1;

  /** The Consul index this data reflects (X-Consul-Index of a read). */
  get index(): number {
    return this.dataIndex;
  }

  getService(id: string): ServiceRecord | undefined {
    return this.services.get(id);
  }

  getCheck(id: string): CheckRecord | undefined {
    return this.checks.get(id);
  }

  allServices(): ServiceRecord[] {
    return [...this.services.values()];
  }

  allChecks(): CheckRecord[] {
    return [...this.checks.values()];
  }

  serviceCount(): number {
    return this.services.size;
  }

  /** Instances of a service name, in registration order. */
  instancesOf(name: string): ServiceRecord[] {
    const ids = this.byName.get(name);
    if (!ids) return [];
    const out: ServiceRecord[] = [];
    for (const id of ids) {
      const s = this.services.get(id);
      if (s) out.push(s);
    }
    return out;
  }

  checksOf(serviceId: string): CheckRecord[] {
    const ids = this.checksByService.get(serviceId);
    if (!ids) return [];
    const out: CheckRecord[] = [];
    for (const id of ids) {
      const c = this.checks.get(id);
      if (c) out.push(c);
    }
    return out;
  }

  /** The node's own checks (registered without a ServiceID), serfHealth aside. */
  nodeChecks(): CheckRecord[] {
    return this.checksOf('');
  }

  /** name -> union of tags across instances (catalog/services). */
  serviceNames(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [name, ids] of this.byName) {
      const tags = new Set<string>();
      for (const id of ids) for (const t of this.services.get(id)?.tags ?? []) tags.add(t);
      out[name] = [...tags];
    }
    return out;
  }

  /** A consistent copy that later writes do not touch. */
  freeze(): CatalogData {
    const copy = new CatalogData();
    copy.services = new Map(this.services);
    copy.checks = new Map(this.checks);
    copy.byName = new Map([...this.byName].map(([k, v]) => [k, new Set(v)]));
    copy.checksByService = new Map([...this.checksByService].map(([k, v]) => [k, new Set(v)]));
    copy.dataIndex = this.dataIndex;
    return copy;
  }
}
