/**
 * The registries `micro-dev compare` can put side by side, as the `registry:` section of a scenario
 * topology, each at a time scale that keeps its leases short enough for a drill (a measured time is also
 * reported as real time: wall time / time scale). A registry that can run as several members (Eureka peers)
 * says how; the others are one node, so there is nothing to split.
 */
import { RegistrySchema } from '../config/config-schema.ts';

export const REGISTRY_KINDS = ['consul', 'eureka', 'nacos', 'etcd'] as const;
export type RegistryKind = (typeof REGISTRY_KINDS)[number];

export interface KindSetup {
  kind: RegistryKind;
  /** What the scenario's `topology.registry` is for a one-node drill. */
  registry: Record<string, unknown>;
  /**
   * For a split drill: the registry as several members, and the member to isolate; absent = one node.
   * `timeScale`: the time scale of the members' own replication, when it is not the registry's (etcd's
   * raft runs at real speed, heartbeat 100 ms and election 1 s, whatever the leases' time scale).
   */
  members?: { registry: Record<string, unknown>; isolate: string; minorityReplica: number; timeScale?: number };
  timeScale: number;
  /** One line on how the registry decides (printed under the table). */
  model: string;
}

const SETUPS: Record<RegistryKind, KindSetup> = {
  consul: {
    kind: 'consul',
    registry: { semantics: 'consul', time_scale: 0.05 },
    timeScale: 0.05,
    model: 'Consul agent (embedded, one node): TTL 10 s, critical when it runs out',
  },
  eureka: {
    kind: 'eureka',
    registry: { semantics: 'eureka', time_scale: 0.01 },
    members: { registry: { semantics: 'eureka', time_scale: 0.01, peers: 3 }, isolate: 'eureka-3', minorityReplica: 3 },
    timeScale: 0.01,
    model: 'Eureka (embedded; 3 peers for the split): lease 90 s (expires at 2x), eviction every 60 s, self-preservation on',
  },
  nacos: {
    kind: 'nacos',
    registry: { semantics: 'nacos', time_scale: 0.05 },
    timeScale: 0.05,
    model: 'Nacos naming (embedded, one node): beat 5 s, unhealthy after 15 s, deleted after 30 s',
  },
  etcd: {
    kind: 'etcd',
    registry: { kind: 'etcd', nodes: 1, time_scale: 0.05 },
    members: { registry: { kind: 'etcd', nodes: 3, time_scale: 0.05 }, isolate: 'leader', minorityReplica: 3, timeScale: 1 },
    timeScale: 0.05,
    model: "etcd (a real cluster; 3 members for the split, its leader isolated): go-micro's lease, TTL 60 s, the key gone when it runs out; raft at real speed (its convergence is wall time)",
  },
};

/** Whether this build has the registry at all (etcd arrives with `registry: {kind: etcd}`). */
export function kindAvailable(kind: RegistryKind): boolean {
  if (kind !== 'etcd') return true;
  return RegistrySchema.shape.kind.safeParse('etcd').success;
}

export function kindSetup(kind: RegistryKind): KindSetup | undefined {
  return kindAvailable(kind) ? SETUPS[kind] : undefined;
}
