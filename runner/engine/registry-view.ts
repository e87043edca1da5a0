import type { Topology } from '../config/topology.ts';
import type { RegistryEvent, RegistryStatus } from '../registry/registry-types.ts';
import type { InstanceView, RegistryView } from './api.ts';

/**
 * The dashboard's registry pane from the lease model's status. `renewsPerMin` (measured by the engine) is
 * the renew rate for every semantics but Eureka, whose own count of the last minute is what its
 * self-preservation threshold is held against.
 */
export function registryView(topology: Topology, address: string, status: RegistryStatus, renewsPerMin?: number): RegistryView {
  return {
    kind: topology.registry.kind,
    semantics: status.semantics,
    address,
    passing: status.passing,
    critical: status.critical,
    renewsLastMin: status.renewsLastMin ?? renewsPerMin,
    renewThreshold: status.renewThreshold,
    selfPreservation: status.selfPreservation,
    ...(status.locks?.length ? { locks: status.locks.map((l) => ({ key: l.key, holder: l.name || l.session })) } : {}),
  };
}

/**
 * One instance's heartbeat age and lease left in wall-clock ms (the model counts in model time), and
 * whether the registry holds it critical. Unknown when it is not (or no longer) registered.
 */
export function instanceLease(
  status: RegistryStatus,
  registryId: string | undefined,
  /** status.leases by service id (a thousand instances looked up once a second: not a scan each). */
  byId?: ReadonlyMap<string, RegistryStatus['leases'][number]>,
): Pick<InstanceView, 'heartbeatAgeMs' | 'leaseLeftMs' | 'face' | 'version' | 'weight'> & { critical?: boolean } {
  const lease = !registryId ? undefined : byId ? byId.get(registryId) : status.leases.find((l) => l.serviceId === registryId);
  if (!lease) return { heartbeatAgeMs: undefined, leaseLeftMs: undefined };
  const wall = (ms: number | null) => (ms === null ? undefined : Math.round(ms * status.timeScale));
  return {
    heartbeatAgeMs: wall(lease.lastHeartbeatAgoMs),
    leaseLeftMs: wall(lease.leaseLeftMs),
    critical: lease.status === 'critical',
    ...(lease.face ? { face: lease.face, version: lease.version } : {}),
    ...(lease.weight !== undefined ? { weight: lease.weight } : {}),
  };
}

/** One line for the events a user should see as they happen; undefined for routine ones (passes, renew rates). */
export function describeRegistryEvent(e: RegistryEvent): string | undefined {
  switch (e.type) {
    case 'critical':
      return `${e.serviceId} is critical${e.output ? ` (${e.output})` : ''}`;
    case 'evicted':
      return `${e.serviceId} evicted (${e.semantics} lease expired)`;
    case 'deregistered':
      return e.reason === 'api' ? undefined : `${e.serviceId} removed (${e.reason})`;
    case 'self-preservation':
      return `self-preservation ${e.enabled ? 'ON: evictions stop' : 'off'} (renews last minute ${e.renewsLastMin}, threshold ${e.threshold})`;
    case 'lock-acquired':
      return `${e.name || e.session} holds lock ${e.key}`;
    case 'session-ended':
      // A session destroyed by its owner is routine; a lapsed or failed one, and what it let go, is news.
      if (e.reason === 'destroyed') return undefined;
      return `session ${e.name || e.session} ended (${e.reason === 'ttl' ? 'TTL expired' : 'check critical'})${e.keys.length ? `: ${e.behavior === 'delete' ? 'deleted' : 'released'} ${e.keys.join(', ')}` : ''}`;
    case 'protect-threshold':
      return e.reached ? `${e.service}: protect threshold reached (${e.healthy}/${e.total} healthy), serving all instances` : undefined;
    default:
      return undefined;
  }
}
