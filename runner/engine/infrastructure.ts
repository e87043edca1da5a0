/**
 * Infrastructure: the in-process servers a topology needs before any instance starts, in order:
 *
 *   registry (embedded or an existing Consul) -> broker -> gateway (8080) -> proxy (8081) -> web (8082)
 *                                                                         -> fault plane admin (8474)
 *
 * startInfrastructure() either returns all of them running or stops what it started and rethrows.
 */
import type { Topology } from '../config/topology.ts';
import type { Clock } from '../clock/clock.ts';
import { startRegistry, type StartedRegistry } from '../registry/start-registry.ts';
import { startBroker } from '../broker/start-broker.ts';
import { startGateway } from '../gateway/start-gateway.ts';
import { startProxy } from '../proxy/start-proxy.ts';
import { startWebGateway } from '../web-gateway/start-web-gateway.ts';
import type { StartedServer } from '../gateway/started-server.ts';
import type { RequestSample } from './traffic-meter.ts';

export interface Infrastructure {
  registryAddress: string;
  registry?: StartedRegistry;
  brokerAddress: string;
  gateway: StartedServer;
  proxy: StartedServer;
  web: StartedServer;
  urls: { gateway: string; proxy: string; web: string; registry: string; faults?: string };
  stop(): Promise<void>;
}

export async function startInfrastructure(
  topology: Topology,
  deps: { clock: Clock; onRequest: (sample: RequestSample) => void; onProgress: (line: string) => void },
): Promise<Infrastructure> {
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  };
  try {
    let registry: StartedRegistry | undefined;
    let registryAddress: string;
    if (topology.registry.kind === 'embedded') {
      registry = await startRegistry(topology.registry, { clock: deps.clock });
      stoppers.push(() => registry!.stop());
      registryAddress = registry.address;
      deps.onProgress(`registry  embedded (${topology.registry.semantics}) on ${registry.url}`);
    } else {
      registryAddress = topology.registry.address ?? `${topology.registry.host}:${topology.registry.port}`;
      deps.onProgress(`registry  consul at ${registryAddress}`);
    }
    const broker = await startBroker(topology.broker, { registryAddress });
    stoppers.push(() => broker.stop());
    const gateway = await startGateway(topology.gateway, {
      registryAddress,
      brokerAddress: broker.address,
      onRequest: (r) => deps.onRequest({ at: r.at, status: r.status, ms: r.ms, service: r.service }),
    });
    stoppers.push(() => gateway.stop());
    deps.onProgress(`gateway   ${gateway.url} (namespace ${topology.gateway.namespace}, handler ${topology.gateway.handler})`);
    const proxy = await startProxy(topology.proxy, { registryAddress, brokerAddress: broker.address });
    stoppers.push(() => proxy.stop());
    deps.onProgress(`proxy     ${proxy.url}`);
    const web = await startWebGateway(topology.web, { registryAddress });
    stoppers.push(() => web.stop());
    deps.onProgress(`web       ${web.url}`);
    return {
      registryAddress,
      registry,
      brokerAddress: broker.address,
      gateway,
      proxy,
      web,
      urls: { gateway: gateway.url, proxy: proxy.url, web: web.url, registry: `http://${registryAddress}` },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
