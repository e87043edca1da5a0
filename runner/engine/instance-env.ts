import { randomUUID } from 'node:crypto';
import type { ServiceConfig, Topology } from '../config/topology.ts';

/**
 * The environment an instance learns its surroundings from, as a go-micro service does (DESIGN.md).
 * Heartbeat timing follows the registry's lease model: the TTL is registered in model time (the registry
 * scales it by timeScale itself), the interval is the kit's real timer, so it is scaled here.
 */
export interface InstanceAddresses {
  /** The registry as this instance reaches it (its own registry link; to the face it speaks). */
  registry: string;
  broker?: string;
  /** The instance's own egress link to the proxy (fault plane), when there is one. */
  proxy?: string;
  /** Where the instance binds (127.0.0.1:port), and what it registers instead (its inbound link). */
  server?: string;
  advertise?: string;
  /** OTLP/HTTP base URL micro-dev exports its spans to: the instance's own SDK sends there too. */
  otlpEndpoint?: string;
  /** Share of new traces micro-dev records, when below 1: the instance's own SDK samples its own roots alike. */
  sampleRatio?: number;
  /** A Unix socket the instance's server also listens on, and its links' that listen on one too (Linux). */
  serverSocket?: string;
  linkSockets?: [address: string, socket: string][];
}

const leaseTiming = {
  consul: { ttlS: 10, intervalS: 3 },
  eureka: { ttlS: 90, intervalS: 30 },
  nacos: { ttlS: 15, intervalS: 5 },
  // go-micro's flag defaults (--register_ttl 60, --register_interval 30).
  etcd: { ttlS: 60, intervalS: 30 },
} as const;

export function instanceEnv(
  topology: Topology,
  service: ServiceConfig,
  replica: number,
  addresses: InstanceAddresses,
): { env: Record<string, string>; serverId: string } {
  const serverId = randomUUID();
  // An instance on the Eureka or Nacos face follows that face's lease rules, whatever `semantics` says.
  const kind = service.registry ?? (topology.registry.kind === 'etcd' ? 'etcd' : 'consul');
  const timing = leaseTiming[kind === 'consul' ? topology.registry.semantics : kind];
  const intervalMs = Math.max(50, Math.round(timing.intervalS * 1000 * topology.registry.timeScale));
  // etcd keeps real time: its leases are scaled here (whole seconds, as go-micro grants them; etcd's floor is 2 s).
  const ttl = kind === 'etcd' ? `${Math.max(1, Math.round(timing.ttlS * topology.registry.timeScale))}s` : `${timing.ttlS}s`;
  const port = service.port === 0 ? 0 : service.port + replica - 1;
  const server = addresses.server ?? `127.0.0.1:${port}`;
  const env: Record<string, string> = {
    MICRO_REGISTRY: kind,
    MICRO_REGISTRY_ADDRESS: addresses.registry,
    MICRO_SERVER_ADDRESS: server,
    ...(addresses.advertise ? { MICRO_SERVER_ADVERTISE: addresses.advertise } : {}),
    MICRO_SERVER_ID: serverId,
    MICRO_REGISTER_TTL: ttl,
    MICRO_REGISTER_INTERVAL: `${intervalMs}ms`,
    MICRO_DEV_INSTANCE: `${service.name}-${replica}`,
    // Registry (model) time x this = wall time: what the kit's leader election needs to renew in time.
    MICRO_DEV_TIME_SCALE: String(topology.registry.timeScale),
    ...(addresses.broker ? { MICRO_BROKER_ADDRESS: addresses.broker } : {}),
    ...(addresses.proxy ? { MICRO_PROXY_ADDRESS: addresses.proxy } : {}),
    // Unix sockets beside TCP for micro-dev's own hops (services/kit/unix-socket.ts); the kit uses them
    ...(addresses.serverSocket ? { MICRO_DEV_SERVER_SOCKET: addresses.serverSocket } : {}),
    ...(addresses.linkSockets?.length ? { MICRO_DEV_SOCKETS: addresses.linkSockets.map(([address, socket]) => `${address}=${socket}`).join(',') } : {}),
    ...(topology.registry.token ? { MICRO_REGISTRY_TOKEN: topology.registry.token } : {}),
    ...(service.version !== undefined ? { MICRO_SERVER_VERSION: service.version } : {}),
    ...(service.weight !== undefined ? { MICRO_SERVER_METADATA: `weight=${service.weight}` } : {}),
    // OpenTelemetry's standard variables: an instance's own SDK reports under its service name, beside
    // micro-dev's spans (service.namespace = the topology), to the same collector.
    OTEL_SERVICE_NAME: service.name,
    OTEL_RESOURCE_ATTRIBUTES: `service.namespace=${topology.name},service.instance.id=${service.name}-${replica}`,
    ...(addresses.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: addresses.otlpEndpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' } : {}),
    // the traces it starts itself sampled as micro-dev samples its own (it follows micro-dev's flags anyway)
    ...(addresses.sampleRatio !== undefined && addresses.sampleRatio < 1
      ? { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(addresses.sampleRatio) }
      : {}),
    ...service.env,
  };
  if (process.env.PATH && !env.PATH) env.PATH = process.env.PATH;
  if (process.env.HOME && !env.HOME) env.HOME = process.env.HOME;
  return { env, serverId };
}
