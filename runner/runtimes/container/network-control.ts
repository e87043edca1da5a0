/**
 * What the fault plane can do to a container instance beyond the Runtime contract: a real network
 * partition. Callers test for it with hasNetworkControl() instead of importing the container runtime.
 */
import type { StartedInstance } from '../runtime.ts';

export interface ContainerNetworkControl {
  /** docker network disconnect: the instance loses its published port, its peers and the host relays. Idempotent. */
  partition(): Promise<void>;
  /** docker network connect with the same IP and aliases. Idempotent. */
  heal(): Promise<void>;
  readonly isPartitioned: boolean;
}

export function hasNetworkControl(instance: StartedInstance): instance is StartedInstance & ContainerNetworkControl {
  const i = instance as Partial<ContainerNetworkControl>;
  return instance.kind === 'container' && typeof i.partition === 'function' && typeof i.heal === 'function';
}
