/**
 * Topology: the plain data that runner/config produces from micro.dev.yaml after parse -> shape -> defaults
 * -> validators. Every field here is filled (defaults applied); the engine and the runtimes read only this.
 *
 * Durations are milliseconds, ports are numbers (0 = pick a free one), hosts default to 127.0.0.1.
 */
export type RuntimeKind = 'worker' | 'process' | 'container';
/** `started`: its runtime has started; `ready`: it passed readiness (process_started / process_healthy). */
export type DependencyCondition = 'started' | 'ready';

export type RestartPolicy = 'no' | 'on-failure' | 'always';
export type LeaseSemantics = 'consul' | 'eureka' | 'nacos';
export type GatewayHandler = 'meta' | 'api' | 'rpc' | 'http' | 'proxy' | 'web' | 'event';
export type GatewayResolver = 'micro' | 'path' | 'vpath' | 'host' | 'grpc';
export type BalanceStrategy = 'random' | 'round_robin' | 'least_outstanding';
export type Tier = 'web' | 'api' | 'srv' | 'other';

export interface Listen {
  host: string;
  port: number;
}

export interface RegistryConfig extends Listen {
  /**
   * embedded: our in-process Consul-compatible registry; consul: a real Consul at `address` (or in a container);
   * etcd: a real etcd cluster micro-dev starts, or yours at `address`.
   */
  kind: 'embedded' | 'consul' | 'etcd';
  /** kind etcd: members of the real etcd cluster micro-dev runs (1 or 3; unused with `address`). */
  nodes: 1 | 3;
  mode: 'process' | 'container';
  /**
   * host:port of an existing Consul when kind is consul and mode is not container; with kind etcd, the
   * client endpoints (host:port, comma separated) of an etcd cluster micro-dev does not start.
   */
  address?: string;
  semantics: LeaseSemantics;
  /** 0.01 turns a 90 s lease into 0.9 s. */
  timeScale: number;
  /** Consul API version profile. */
  profile: 'modern' | 'legacy';
  token?: string;
  /** File that keeps KV and registrations across restarts; absent = in memory only. */
  persist?: string;
  /** The agent's node name (`consul agent -node`); absent = the host name. */
  node?: string;
  /** The agent's datacenter (`-datacenter`); absent = dc1. */
  datacenter?: string;
  /**
   * Eureka peers (kind embedded, eureka semantics or face): this many registries that replicate
   * register/renew/cancel/status to each other (runner/registry/peers); absent or 1 = one registry.
   */
  peers?: number;
  /**
   * Eureka model options; `serve` starts the Eureka REST face on `port` (default 8761) over the same
   * catalog. The face's own instances follow these lease options whatever `semantics` says.
   */
  eureka: { doubleExpiryQuirk: boolean; selfPreservation: boolean; serve?: boolean; port?: number };
  /**
   * Nacos model option; `serve` starts the Nacos naming v1 face on `port` (default 8848); `adminApi: false`
   * answers Nacos 3's 410 on the admin routes (instance update, service create/update/detail).
   */
  nacos: { protectThreshold: number; serve?: boolean; port?: number; adminApi?: boolean };
}

export interface GatewayConfig extends Listen {
  namespace: string;
  handler: GatewayHandler;
  resolver: GatewayResolver;
  enableRpc: boolean;
  cors: boolean;
  balance: BalanceStrategy;
  /** Backend call timeout (micro's --client_request_timeout). */
  timeoutMs: number;
  retries: number;
  /** Status for a path that names no registered service: 404 (default) or 500 (micro's exact answer). */
  unknownServiceStatus: 404 | 500;
  /** Passive outlier detection: how long a node that refused a connection is skipped. */
  ejectMs: number;
  bodyLimitBytes: number;
  hosts: string[];
  tls?: { cert?: string; key?: string; auto?: boolean };
  /** Registry service name -> the only version routed to (go-micro's selector.FilterVersion); {} = all. */
  versions: Record<string, string>;
}

export interface ProxyConfig extends Listen {
  /** As GatewayConfig.versions, for calls forwarded by the proxy (the services' own outbound calls). */
  versions: Record<string, string>;
}
export interface WebConfig extends Listen {
  namespace: string;
}
export type BrokerConfig = Listen;
export type FaultsConfig = Listen;
export type ControlConfig = Listen;

export type ReadinessConfig =
  | { kind: 'registered'; timeoutMs: number }
  | { kind: 'http'; path: string; port?: number; status: number; timeoutMs: number }
  | { kind: 'tcp'; port?: number; timeoutMs: number }
  | { kind: 'log'; pattern: string; timeoutMs: number };

export interface RestartConfig {
  policy: RestartPolicy;
  maxRestarts: number;
  /** First backoff; doubles on each consecutive failure, capped at backoffMaxMs. */
  backoffMs: number;
  backoffMaxMs: number;
}

export interface WatchConfig {
  /** True when the service did not say `watch:` and is watched because its code lives in the project. */
  byDefault?: boolean;
  paths: string[];
  ignore: string[];
  debounceMs: number;
  build?: string;
  cascade: boolean;
}

export interface ContainerConfig {
  image?: string;
  dockerfile?: string;
  context?: string;
  /** How the gateway reaches the container: a published port on 127.0.0.1, or the topology's network. */
  reach: 'published' | 'network';
}

export interface ServiceConfig {
  /** Key in the YAML (`greeter-srv`); instances are `<name>-1`, `<name>-2`, ... */
  name: string;
  tier: Tier;
  runtime: RuntimeKind;
  /** worker: a TypeScript/JavaScript module path (relative to the config file's folder, resolved here). */
  module?: string;
  /** process: argv, run in cwd. */
  command?: string[];
  cwd: string;
  env: Record<string, string>;
  replicas: number;
  /** Fixed server port for the first replica (others take +1, +2...); 0 = any free port. */
  port: number;
  dependsOn: string[];
  /** What a dependency must reach before this service starts, when not `ready` (depends_on's map form). */
  dependencyConditions?: Record<string, DependencyCondition>;
  readiness: ReadinessConfig;
  restart: RestartConfig;
  /** Grace period on stop before SIGKILL / terminate. */
  stopTimeoutMs: number;
  watch?: WatchConfig;
  container?: ContainerConfig;
  /**
   * The registry API the instance speaks (MICRO_REGISTRY, go-micro's plugin names); eureka and nacos go
   * to the embedded registry's faces over the same catalog; etcd to the etcd cluster (registry kind etcd).
   * Absent = consul (etcd with registry kind etcd).
   */
  registry?: LeaseSemantics | 'etcd';
  /** The version the instances register (MICRO_SERVER_VERSION), e.g. a canary's `v2`. */
  version?: string;
  /** Selector weight of each instance (metadata `weight` via MICRO_SERVER_METADATA, Nacos's weight). */
  weight?: number;
}

export interface TelemetryConfig {
  /** Record traces (default true). */
  traces: boolean;
  /** OTLP/HTTP base URL from the file; the environment's OTEL_EXPORTER_OTLP_ENDPOINT applies when absent. */
  otlpEndpoint?: string;
  /** A trace at least this long is kept as slow (ms). */
  slowMs: number;
  /** Share of the traces micro-dev starts that are recorded (0..1); absent: the environment's OTEL_TRACES_SAMPLER, else 1. */
  sampleRatio?: number;
}

export interface Topology {
  /** Absolute path of the file this came from (for error messages and relative paths). */
  file: string;
  name: string;
  registry: RegistryConfig;
  gateway: GatewayConfig;
  proxy: ProxyConfig;
  web: WebConfig;
  broker: BrokerConfig;
  faults: FaultsConfig;
  control: ControlConfig;
  telemetry: TelemetryConfig;
  services: ServiceConfig[];
}
