import type { Topology } from '../config/topology.ts';
import type { RegistryStatus } from '../registry/registry-types.ts';
import type { InstanceView, RegistryView } from './api.ts';

/** The dashboard's registry pane from the lease model's status. */
export function registryView(topology: Topology, address: string, status: RegistryStatus): RegistryView {
  return {
    kind: topology.registry.kind,
    semantics: status.semantics,
    address,
    passing: status.passing,
    critical: status.critical,
    renewsLastMin: status.renewsLastMin,
    renewThreshold: status.renewThreshold,
    selfPreservation: status.selfPreservation,
  };
}

/**
 * One instance's heartbeat age and lease left in wall-clock ms (the model counts in model time), and
 * whether the registry holds it critical. Unknown when it is not (or no longer) registered.
 */
export function instanceLease(
  status: RegistryStatus,
  registryId: string | undefined,
): Pick<InstanceView, 'heartbeatAgeMs' | 'leaseLeftMs'> & { critical?: boolean } {
  const lease = registryId ? status.leases.find((l) => l.serviceId === registryId) : undefined;
  if (!lease) return { heartbeatAgeMs: undefined, leaseLeftMs: undefined };
  const wall = (ms: number | null) => (ms === null ? undefined : Math.round(ms * status.timeScale));
  return {
    heartbeatAgeMs: wall(lease.lastHeartbeatAgoMs),
    leaseLeftMs: wall(lease.leaseLeftMs),
    critical: lease.status === 'critical',
  };
}
