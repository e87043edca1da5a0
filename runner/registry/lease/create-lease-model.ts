import type { RegistryConfig } from '../../config/topology.ts';
import type { LeaseModelFactory } from '../registry-core.ts';
import { ConsulLeaseModel } from './consul-lease-model.ts';

/** Picks the lease model for `registry.semantics`. */
export function createLeaseModel(config: Pick<RegistryConfig, 'semantics' | 'eureka' | 'nacos'>): LeaseModelFactory {
  switch (config.semantics) {
    default:
      return (host) => new ConsulLeaseModel(host);
  }
}
