/**
 * applyDefaults: step 3 of the config pipeline. The shape-checked YAML (RawConfig) -> a Topology with every
 * field filled: defaults applied, durations in ms, sizes in bytes, paths absolute (resolved against the
 * config file's folder). Pure: touches no files; existence checks are validators (step 4).
 */
import path from 'node:path';
import type { ConfigSchema, RawConfig } from './config-schema.ts';
import { durationMs as ms } from './parse-duration.ts';
import { parseSize } from './parse-size.ts';
import { applyServiceDefaults } from './apply-service-defaults.ts';
import type { z } from 'zod';
import type { GatewayConfig, Listen, RegistryConfig, Topology } from './topology.ts';

export const DEFAULT_HOST = '127.0.0.1';

/** The defaults in one place, in Topology units (ms, bytes); README tables are made from this. */
export const TOPOLOGY_DEFAULTS = {
  registry: {
    kind: 'embedded',
    nodes: 1,
    mode: 'process',
    host: DEFAULT_HOST,
    port: 8500,
    semantics: 'consul',
    timeScale: 1,
    profile: 'modern',
    eureka: { doubleExpiryQuirk: true, selfPreservation: true, serve: false, port: 8761 },
    nacos: { protectThreshold: 0, serve: false, port: 8848, adminApi: true },
  },
  gateway: {
    host: DEFAULT_HOST,
    port: 8080,
    namespace: 'go.micro.api',
    handler: 'meta',
    resolver: 'micro',
    enableRpc: true,
    cors: true,
    balance: 'random',
    timeoutMs: 5_000,
    retries: 1,
    unknownServiceStatus: 404,
    ejectMs: 10_000,
    bodyLimitBytes: 10 * 1024 * 1024,
    hosts: [] as string[],
    versions: {},
  },
  proxy: { host: DEFAULT_HOST, port: 8081, versions: {} },
  web: { host: DEFAULT_HOST, port: 8082, namespace: 'go.micro.web' },
  broker: { host: DEFAULT_HOST, port: 0 },
  faults: { host: DEFAULT_HOST, port: 8474 },
  control: { host: DEFAULT_HOST, port: 0 },
  telemetry: { traces: true, slowMs: 1000 },
} as const satisfies Omit<Topology, 'file' | 'name' | 'services'>;

/** `file` must be absolute; relative paths in the config are resolved against its folder. */
export function applyDefaults(raw: RawConfig, file: string): Topology {
  const dir = path.dirname(file);
  const D = TOPOLOGY_DEFAULTS;
  return {
    file,
    name: raw.name ?? (path.basename(dir) || 'micro-dev'),
    registry: registryDefaults(raw.registry, dir),
    gateway: gatewayDefaults(raw.gateway, dir),
    proxy: { ...listen(raw.proxy, D.proxy), versions: { ...raw.proxy?.versions } },
    web: { ...listen(raw.web, D.web), namespace: raw.web?.namespace ?? D.web.namespace },
    broker: listen(raw.broker, D.broker),
    faults: listen(raw.faults, D.faults),
    control: listen(raw.control, D.control),
    telemetry: {
      traces: raw.telemetry?.traces ?? D.telemetry.traces,
      slowMs: ms(raw.telemetry?.slow, D.telemetry.slowMs),
      ...(raw.telemetry?.otlp_endpoint ? { otlpEndpoint: raw.telemetry.otlp_endpoint } : {}),
      ...(raw.telemetry?.sample_ratio !== undefined ? { sampleRatio: raw.telemetry.sample_ratio } : {}),
    },
    services: Object.entries(raw.services ?? {}).map(([name, s]) => applyServiceDefaults(name, s, dir)),
  };
}

function listen(raw: Partial<Listen> | undefined, d: Listen): Listen {
  return { host: raw?.host ?? d.host, port: raw?.port ?? d.port };
}


type RawRegistry = NonNullable<z.output<typeof ConfigSchema>['registry']>;
type RawGateway = NonNullable<z.output<typeof ConfigSchema>['gateway']>;

function registryDefaults(raw: RawRegistry | undefined, dir: string): RegistryConfig {
  const D = TOPOLOGY_DEFAULTS.registry;
  const out: RegistryConfig = {
    kind: raw?.kind ?? D.kind,
    nodes: raw?.nodes ?? D.nodes,
    mode: raw?.mode ?? D.mode,
    ...listen(raw, D),
    semantics: raw?.semantics ?? D.semantics,
    timeScale: raw?.time_scale ?? raw?.timeScale ?? D.timeScale,
    profile: raw?.profile ?? D.profile,
    eureka: {
      doubleExpiryQuirk: raw?.eureka?.double_expiry_quirk ?? D.eureka.doubleExpiryQuirk,
      selfPreservation: raw?.eureka?.self_preservation ?? D.eureka.selfPreservation,
      serve: raw?.eureka?.serve ?? D.eureka.serve,
      port: raw?.eureka?.port ?? D.eureka.port,
    },
    nacos: {
      protectThreshold: raw?.nacos?.protect_threshold ?? D.nacos.protectThreshold,
      serve: raw?.nacos?.serve ?? D.nacos.serve,
      port: raw?.nacos?.port ?? D.nacos.port,
      adminApi: raw?.nacos?.admin_api ?? D.nacos.adminApi,
    },
  };
  if (raw?.address !== undefined) out.address = Array.isArray(raw.address) ? raw.address.join(',') : raw.address;
  if (raw?.token !== undefined) out.token = raw.token;
  if (raw?.persist !== undefined) out.persist = path.resolve(dir, raw.persist);
  if (raw?.node !== undefined) out.node = raw.node;
  if (raw?.datacenter !== undefined) out.datacenter = raw.datacenter;
  if (raw?.peers !== undefined && raw.peers > 1) out.peers = raw.peers;
  return out;
}

function gatewayDefaults(raw: RawGateway | undefined, dir: string): GatewayConfig {
  const D = TOPOLOGY_DEFAULTS.gateway;
  const out: GatewayConfig = {
    ...listen(raw, D),
    namespace: raw?.namespace ?? D.namespace,
    handler: raw?.handler ?? D.handler,
    resolver: raw?.resolver ?? D.resolver,
    enableRpc: raw?.enable_rpc ?? D.enableRpc,
    cors: raw?.cors ?? D.cors,
    balance: raw?.balance ?? D.balance,
    timeoutMs: ms(raw?.timeout, D.timeoutMs),
    retries: raw?.retries ?? D.retries,
    unknownServiceStatus: raw?.unknown_service_status ?? D.unknownServiceStatus,
    ejectMs: ms(raw?.eject, D.ejectMs),
    bodyLimitBytes: raw?.body_limit === undefined ? D.bodyLimitBytes : (parseSize(raw.body_limit) ?? D.bodyLimitBytes),
    hosts: [...(raw?.hosts ?? D.hosts)],
    versions: { ...raw?.versions },
  };
  if (raw?.tls === 'auto') out.tls = { auto: true };
  else if (raw?.tls) out.tls = { cert: path.resolve(dir, raw.tls.cert), key: path.resolve(dir, raw.tls.key) };
  return out;
}
