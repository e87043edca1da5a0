import type { ServiceConfig } from '../config/topology.ts';
import type { Clock } from '../clock/clock.ts';
import type { StartedInstance } from '../runtimes/runtime.ts';
import { waitFor } from '../runtimes/wait/wait-for.ts';
import type { ReadyInfo } from './instance-supervisor.ts';
import type { AgentCatalogReader, RegistryLister } from '../runtimes/wait/registered-wait-strategy.ts';

/** Applies a service's readiness strategy to one started instance. */
export function readinessFor(
  service: ServiceConfig,
  target: {
    instance: StartedInstance;
    serverId: string;
    /** MICRO_SERVER_ADVERTISE, when the engine set one (named in a wrong-id error). */
    advertise?: string;
    registryAddress: string;
    registryToken?: string;
    registryLister?: RegistryLister;
    registryCatalog?: AgentCatalogReader;
    port?: number;
    signal: AbortSignal;
    clock?: Clock;
  },
): Promise<ReadyInfo> {
  return waitFor(service.readiness, { clock: target.clock, registryToken: target.registryToken, registryLister: target.registryLister, registryCatalog: target.registryCatalog }).wait(
    {
      instance: target.instance,
      serverId: target.serverId,
      ...(target.advertise ? { advertise: target.advertise } : {}),
      registryAddress: target.registryAddress,
      host: '127.0.0.1',
      port: target.port,
    },
    { signal: target.signal },
  );
}
