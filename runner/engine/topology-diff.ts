/**
 * diffTopology: what an edit of micro.dev.yaml changes, sorted into what the engine applies live (services
 * added, removed, changed, scaled) and what needs a restart of `up` (any infrastructure section).
 */
import type { ServiceConfig, Topology } from '../config/topology.ts';

export interface TopologyDiff {
  added: ServiceConfig[];
  removed: string[];
  /** Anything but the replica count differs: its instances are replaced (the new config). */
  changed: ServiceConfig[];
  /** Only the replica count differs. */
  scaled: { name: string; replicas: number }[];
  /** Top-level sections that differ (registry, gateway, ...): applied only by a restart of `up`. */
  infrastructure: string[];
}

const infrastructureKeys = ['name', 'registry', 'gateway', 'proxy', 'web', 'broker', 'faults', 'control'] as const;

export function diffTopology(current: Topology, next: Topology): TopologyDiff {
  const before = new Map(current.services.map((s) => [s.name, s]));
  const after = new Map(next.services.map((s) => [s.name, s]));
  const diff: TopologyDiff = { added: [], removed: [], changed: [], scaled: [], infrastructure: [] };
  for (const [name, service] of after) {
    const old = before.get(name);
    if (!old) diff.added.push(service);
    else if (!same({ ...old, replicas: 0 }, { ...service, replicas: 0 })) diff.changed.push(service);
    else if (old.replicas !== service.replicas) diff.scaled.push({ name, replicas: service.replicas });
  }
  for (const name of before.keys()) if (!after.has(name)) diff.removed.push(name);
  for (const key of infrastructureKeys) if (!same(current[key], next[key])) diff.infrastructure.push(key);
  return diff;
}

/** Deep equality of plain config data (key order does not matter). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sorted(v)]));
  }
  return value;
}
