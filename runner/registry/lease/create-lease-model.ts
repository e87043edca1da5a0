import type { RegistryConfig } from '../../config/topology.ts';
import type { LeaseModelFactory } from '../registry-core.ts';
import { ConsulLeaseModel } from './consul-lease-model.ts';
import { EurekaLeaseModel } from './eureka-lease-model.ts';
import { NacosLeaseModel } from './nacos-lease-model.ts';

/** Picks the lease model for `registry.semantics`. */
export function createLeaseModel(config: Pick<RegistryConfig, 'semantics' | 'eureka' | 'nacos'>): LeaseModelFactory {
  switch (config.semantics) {
    case 'eureka':
      return (host) =>
        new EurekaLeaseModel(host, {
          doubleExpiryQuirk: config.eureka?.doubleExpiryQuirk ?? true,
          enableSelfPreservation: config.eureka?.selfPreservation ?? true,
        });
    case 'nacos':
      return (host) => new NacosLeaseModel(host, { protectThreshold: config.nacos?.protectThreshold ?? 0 });
    default:
      return (host) => new ConsulLeaseModel(host);
  }
}
