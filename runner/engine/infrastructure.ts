/**
 * Infrastructure: the in-process servers a topology needs before any instance starts, in order:
 *
 *   fault plane + admin (8474) -> registry (embedded, an existing Consul, an etcd cluster micro-dev starts
 *       or one at registry.address) -> infra/registry
 *       link(s) -> broker -> gateway (8080) -> proxy (8081) -> web (8082)
 *
 * The in-process servers reach the registry through the `infra/registry` link, so a registry outage can be
 * simulated for them too (they keep serving from their cached nodes). With etcd there is one such link per
 * member (`infra/registry` to etcd-1, `infra/etcd-N/registry` to the others), each ending at the member's
 * own client link (`registry/etcd-N/client`). An etcd at `registry.address` (not ours: no members to start,
 * stop or fault) gets the same links, one per endpoint, ending at the endpoint itself.
 *
 * startInfrastructure() either returns all of them running or stops what it started and rethrows.
 */
import { dirname, join } from 'node:path';
import type { Topology } from '../config/topology.ts';
import type { Clock } from '../clock/clock.ts';
import { startRegistry, type StartedRegistry } from '../registry/start-registry.ts';
import { startBroker } from '../broker/start-broker.ts';
import { startGateway } from '../gateway/start-gateway.ts';
import { resolveNamespace } from '../gateway/resolve-namespace.ts';
import { startProxy } from '../proxy/start-proxy.ts';
import { startWebGateway } from '../web-gateway/start-web-gateway.ts';
import type { StartedServer } from '../gateway/started-server.ts';
import { FaultPlane } from '../faults/fault-plane.ts';
import { VersionRoutes } from '../gateway/version-routes.ts';
import { startFaultAdmin } from '../faults/admin-server.ts';
import type { Tracing } from '../traces/tracing.ts';
import { startRegistryMembers, type RegistryMember } from './registry-members.ts';
import type { Link } from '../faults/link.ts';
import type { EtcdCluster } from '../registry/etcd/etcd-cluster.ts';
import type { AgentCatalogReader } from '../runtimes/wait/registered-wait-strategy.ts';
import { agentCatalogOf } from './agent-catalog.ts';
import type { RegisteredNode } from '../registry/etcd/etcd-registry-reader.ts';
import type { RegistryKind } from '../../services/kit/kit-registry.ts';
import { registryLinkName } from './instance-links.ts';

export interface Infrastructure {
  /** The registry itself (readiness checks use it directly, unaffected by faults). */
  registryAddress: string;
  /** host:port of the embedded registry's Eureka / Nacos faces, when they run. */
  registryFaces: { eureka?: string; nacos?: string };
  /** The API the in-process servers and instances discover through: consul (embedded, Consul) or etcd. */
  registryKind: Extract<RegistryKind, 'consul' | 'etcd'>;
  /** Where an instance's registry link(s) lead: the registry, or every etcd member's client link. */
  registryUpstreams: string[];
  /** kind etcd, started by micro-dev: the cluster (members, roles, their links, kill/start). */
  etcd?: EtcdCluster;
  /** kind etcd: names for the registry links past the first (`<owner>/<name>/registry`), one per member or endpoint. */
  registryLinkMembers?: string[];
  /** kind etcd: what is registered (the `registered` readiness lists through it instead of Consul's API). */
  registryLister?: () => Promise<RegisteredNode[]>;
  /** One embedded registry: its agent listings read in process by the `registered` readiness (no HTTP). */
  registryCatalog?: AgentCatalogReader;
  faultPlane: FaultPlane;
  registry?: StartedRegistry;
  /**
   * The registry's members when it is several machines (`registry.peers`); empty for one registry. The
   * first is `registry` (the in-process servers use it); instances spread over all of them.
   */
  registryMembers: RegistryMember[];
  brokerAddress: string;
  gateway: StartedServer;
  proxy: StartedServer;
  web: StartedServer;
  /** Version routes of the gateway and of the proxy (topology `gateway.versions` / `proxy.versions`; live). */
  versions: { gateway: VersionRoutes; proxy: VersionRoutes };
  urls: { gateway: string; proxy: string; web: string; registry: string; faults?: string };
  stop(): Promise<void>;
}

export async function startInfrastructure(
  topology: Topology,
  deps: { clock: Clock; onGatewayRequest: () => void; onProgress: (line: string) => void; tracing?: Tracing },
): Promise<Infrastructure> {
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  };
  try {
    const faultPlane = new FaultPlane(deps.tracing ? { clock: deps.clock, tracer: deps.tracing.linkTracer() } : { clock: deps.clock });
    stoppers.push(() => faultPlane.close());
    const faultAdmin = await startFaultAdmin(faultPlane, topology.faults);
    stoppers.push(() => faultAdmin.stop());
    deps.onProgress(`faults    ${faultAdmin.url} (Toxiproxy-compatible API)`);
    let registry: StartedRegistry | undefined;
    let registryAddress: string;
    let etcd: EtcdCluster | undefined;
    let registryLister: Infrastructure['registryLister'];
    let registryCatalog: Infrastructure['registryCatalog'];
    const registryFaces: Infrastructure['registryFaces'] = {};
    let registryMembers: RegistryMember[] = [];
    if (topology.registry.kind === 'embedded' && (topology.registry.peers ?? 1) > 1) {
      const started = await startRegistryMembers(topology, faultPlane, { clock: deps.clock, onWarning: (m) => deps.onProgress(`registry  warning: ${m}`) });
      stoppers.push(() => started.stop());
      registryMembers = started.members;
      registry = registryMembers[0].registry;
      registryAddress = registry.address;
      Object.assign(registryFaces, registryMembers[0].faces);
      for (const m of registryMembers) {
        deps.onProgress(`registry  ${m.name}: Eureka peer (${topology.registry.semantics}) on http://${m.address}, Eureka REST on http://${m.faces.eureka}/eureka/`);
      }
    } else if (topology.registry.kind === 'embedded') {
      // A face runs when asked for, or when a service speaks it (services.<name>.registry).
      const uses = (face: 'eureka' | 'nacos') => topology.services.some((s) => s.registry === face);
      const config = {
        ...topology.registry,
        eureka: { ...topology.registry.eureka, serve: topology.registry.eureka.serve || uses('eureka') },
        nacos: { ...topology.registry.nacos, serve: topology.registry.nacos.serve || uses('nacos') },
      };
      registry = await startRegistry(config, { clock: deps.clock, onWarning: (m) => deps.onProgress(`registry  warning: ${m}`) });
      stoppers.push(() => registry!.stop());
      registryCatalog = agentCatalogOf(registry);
      registryAddress = registry.address;
      deps.onProgress(`registry  embedded (${topology.registry.semantics}) on ${registry.url}`);
      if (registry.eurekaUrl) {
        registryFaces.eureka = new URL(registry.eurekaUrl).host;
        deps.onProgress(`registry  Eureka REST on ${registry.eurekaUrl}`);
      }
      if (registry.nacosUrl) {
        registryFaces.nacos = new URL(registry.nacosUrl).host;
        deps.onProgress(`registry  Nacos naming on ${registry.nacosUrl}/nacos/v1/ns/`);
      }
    } else if (topology.registry.kind === 'etcd' && topology.registry.address) {
      // Someone else's etcd: read and written like ours, never started, stopped or faulted member by member.
      const { EtcdRegistryReader } = await import('../registry/etcd/etcd-registry-reader.ts');
      registryAddress = topology.registry.address;
      const reader = new EtcdRegistryReader(registryAddress.split(','));
      stoppers.push(async () => reader.close());
      registryLister = () => reader.registeredNodes();
      deps.onProgress(`registry  etcd at ${registryAddress.split(',').join(', ')} (not started by micro-dev)`);
    } else if (topology.registry.kind === 'etcd') {
      const { EtcdCluster } = await import('../registry/etcd/etcd-cluster.ts');
      etcd = await EtcdCluster.start({
        nodes: topology.registry.nodes,
        stateDir: join(dirname(topology.file), '.micro-dev'),
        plane: faultPlane,
        onProgress: deps.onProgress,
      });
      stoppers.push(() => etcd!.stop());
      registryAddress = etcd.directEndpoints.join(',');
      const cluster = etcd;
      registryLister = () => cluster.registeredNodes();
      deps.onProgress(`registry  etcd, ${etcd.names.length} member(s): ${etcd.names.map((n, i) => `${n} ${etcd!.directEndpoints[i]}`).join(', ')}`);
    } else if (topology.registry.mode === 'container') {
      const { startConsulContainer } = await import('../runtimes/container/consul-container.ts');
      const { node, datacenter } = topology.registry;
      const naming = [...(node ? ['-node', node] : []), ...(datacenter ? ['-datacenter', datacenter] : [])];
      const consul = await startConsulContainer({
        port: topology.registry.port,
        topology: topology.name,
        ...(naming.length ? { command: ['agent', '-dev', '-client', '0.0.0.0', '-log-level', 'warn', ...naming] } : {}),
      });
      stoppers.push(() => consul.stop());
      registryAddress = consul.address;
      deps.onProgress(`registry  consul in container ${consul.containerId.slice(0, 12)} at ${registryAddress}`);
    } else {
      registryAddress = topology.registry.address ?? `${topology.registry.host}:${topology.registry.port}`;
      deps.onProgress(`registry  consul at ${registryAddress}`);
    }
    const registryKind = topology.registry.kind === 'etcd' ? 'etcd' : 'consul';
    const registryUpstreams = etcd ? etcd.clientEndpoints : registryKind === 'etcd' ? registryAddress.split(',') : [registryAddress];
    const registryLinkMembers = etcd ? etcd.names : registryKind === 'etcd' ? registryUpstreams.map((_, i) => `etcd-${i + 1}`) : undefined;
    const infraLinks: Link[] = [];
    for (const [i, upstream] of registryUpstreams.entries()) {
      infraLinks.push(await faultPlane.createLink({ name: registryLinkName('infra', i, registryLinkMembers?.[i]), upstream }));
    }
    const viaLink = infraLinks.map((l) => l.listen).join(',');
    const broker = await startBroker(topology.broker, { registryAddress: viaLink, registryKind });
    stoppers.push(() => broker.stop());
    // MICRO_API_NAMESPACE / MICRO_NAMESPACE override the default namespace, as with `micro api`.
    const gatewayConfig = { ...topology.gateway, namespace: resolveNamespace(topology.gateway, process.env) };
    const versions = { gateway: new VersionRoutes(topology.gateway.versions), proxy: new VersionRoutes(topology.proxy.versions) };
    // The gateway and the proxy reach every instance's inbound link in memory, not over loopback TCP.
    const connect = (host: string, port: number) => faultPlane.openLocal(host, port);
    const gateway = await startGateway(gatewayConfig, {
      registryAddress: viaLink,
      connect,
      registryKind,
      // tls: auto keeps its CA beside the config file, not wherever micro-dev was started from.
      stateDir: join(dirname(topology.file), '.micro-dev'),
      brokerAddress: broker.address,
      onRequest: () => deps.onGatewayRequest(),
      ...(deps.tracing ? { tracing: deps.tracing } : {}),
      versions: versions.gateway,
    });
    stoppers.push(() => gateway.stop());
    deps.onProgress(`gateway   ${gateway.url} (namespace ${gatewayConfig.namespace}, handler ${gatewayConfig.handler})`);
    const proxy = await startProxy(topology.proxy, {
      registryAddress: viaLink,
      connect,
      registryKind,
      brokerAddress: broker.address,
      ...(deps.tracing ? { tracing: deps.tracing } : {}),
      versions: versions.proxy,
    });
    stoppers.push(() => proxy.stop());
    // Instances reach the proxy through their egress links; those links hand it their connections in memory.
    if (['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(topology.proxy.host)) faultPlane.serveInProcess(proxy.port, (socket) => proxy.accept(socket));
    deps.onProgress(`proxy     ${proxy.url}`);
    const web = await startWebGateway(topology.web, { registryAddress: viaLink, registryKind, ...(deps.tracing ? { tracing: deps.tracing } : {}) });
    stoppers.push(() => web.stop());
    deps.onProgress(`web       ${web.url}`);
    return {
      registryAddress,
      registryFaces,
      registryKind,
      registryUpstreams,
      ...(etcd ? { etcd } : {}),
      ...(registryLinkMembers ? { registryLinkMembers } : {}),
      ...(registryLister ? { registryLister } : {}),
      ...(registryCatalog ? { registryCatalog } : {}),
      faultPlane,
      registry,
      registryMembers,
      brokerAddress: broker.address,
      gateway,
      proxy,
      web,
      versions,
      urls: { gateway: gateway.url, proxy: proxy.url, web: web.url, registry: `http://${registryAddress.split(',')[0]}`, faults: faultAdmin.url },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
