/**
 * The body of Eureka's peer batch (`POST /peerreplication/batch/`, eureka-core's ReplicationList /
 * ReplicationInstance / ReplicationListResponse), plus one micro-dev field for instances that did not come
 * through the Eureka face (a Consul-wire registration under `semantics: eureka`): `microDevCatalog` carries
 * the catalog registration itself, since Eureka's InstanceInfo cannot say everything Consul's can.
 */
import type { CheckStatus, ServiceDefinition } from '../registry-types.ts';

/** PeerEurekaNode.HEADER_REPLICATION. */
export const REPLICATION_HEADER = 'x-netflix-discovery-replication';

export type ReplicationAction = 'Register' | 'Heartbeat' | 'Cancel' | 'StatusUpdate' | 'DeleteStatusOverride';

export interface ReplicationItem {
  appName: string;
  id: string;
  action: ReplicationAction;
  lastDirtyTimestamp?: number;
  overriddenStatus?: string;
  status?: string;
  /** Register only: the InstanceInfo (Eureka face instances). */
  instanceInfo?: Record<string, unknown>;
  /** micro-dev: a catalog (Consul-wire) instance: its registration, or the TTL check a Heartbeat renews. */
  microDevCatalog?: { def?: ServiceDefinition; checkId?: string; checkStatus?: CheckStatus; output?: string };
}

export interface ReplicationListResponse {
  responseList: { statusCode: number; responseEntity?: Record<string, unknown> }[];
}
