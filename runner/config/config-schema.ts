/**
 * ConfigSchema: step 2 of the config pipeline, the shape of micro.dev.yaml as a user writes it (snake_case
 * keys, short forms such as `restart: always` or `readiness: tcp`, durations as `5s`). Every object is strict,
 * so a typo is an error with a did-you-mean. Nothing here fills defaults or resolves paths: that is
 * applyDefaults (step 3), so the JSON Schema exported from this (micro.dev.schema.json) describes exactly
 * what may be written.
 */
import { z } from 'zod';
import { DURATION_HINT, DURATION_PATTERN } from './parse-duration.ts';
import { SIZE_HINT, SIZE_PATTERN } from './parse-size.ts';

export const duration = z.union(
  [
    z.number().int().nonnegative(),
    z.string().regex(new RegExp(DURATION_PATTERN), { error: `${DURATION_HINT} (no spaces inside)` }),
  ],
  { error: DURATION_HINT },
);
const size = z.union(
  [z.number().int().nonnegative(), z.string().regex(new RegExp(SIZE_PATTERN), { error: SIZE_HINT })],
  { error: SIZE_HINT },
);
export const port = z.number().int().min(0).max(65535).describe('TCP port on 127.0.0.1; 0 picks a free one');
const host = z.string().min(1).describe('interface to listen on (default 127.0.0.1)');
const nonEmpty = z.string().min(1);
const hostPort = z.string().regex(/^[^\s:,]+:\d{1,5}$/, { error: 'expected host:port, e.g. 127.0.0.1:8500' });
/** One host:port, or several comma separated (go-micro's MICRO_REGISTRY_ADDRESS). */
const hostPorts = z.string().regex(/^[^\s:,]+:\d{1,5}(,[^\s:,]+:\d{1,5})*$/, { error: 'expected host:port, e.g. 127.0.0.1:8500 (etcd: several, comma separated)' });

const listen = (what: string) =>
  z.strictObject({ host: host.optional(), port: port.optional() }).describe(what);

export const RegistrySchema = z
  .strictObject({
    kind: z
      .enum(['embedded', 'consul', 'etcd'])
      .optional()
      .describe('embedded (default): the built-in Consul-compatible registry; consul: a real Consul; etcd: a real etcd cluster (Debian etcd-server; yours with address)'),
    nodes: z
      .union([z.literal(1), z.literal(3)], { error: 'expected 1 or 3' })
      .optional()
      .describe('kind: etcd only: members of the etcd cluster micro-dev starts, 1 or 3 (default 1; not with address)'),
    host: host.optional(),
    port: port.optional().describe('embedded registry port (default 8500)'),
    address: z
      .union([hostPorts, z.array(hostPort).min(1, { error: 'expected at least one host:port' })], {
        error: 'expected host:port, e.g. 127.0.0.1:8500 (etcd: several, comma separated or as a list)',
      })
      .optional()
      .describe('host:port of an existing Consul (kind: consul), or the client endpoints of an etcd cluster micro-dev does not start (kind: etcd; comma separated or a list, as MICRO_REGISTRY_ADDRESS)'),
    mode: z.enum(['process', 'container']).optional().describe('kind: consul only: container starts hashicorp/consul in Docker'),
    semantics: z.enum(['consul', 'eureka', 'nacos']).optional().describe('lease model of the embedded registry (default consul)'),
    time_scale: z.number().positive().optional().describe('multiplies every lease/TTL: 0.01 turns 90s into 0.9s (default 1)'),
    timeScale: z.number().positive().optional().describe('alias of time_scale'),
    profile: z.enum(['modern', 'legacy']).optional().describe('Consul API version profile (default modern)'),
    token: z.string().optional().describe('ACL token sent to / required by the registry'),
    persist: z.string().min(1).optional().describe('file that keeps KV and registrations across restarts'),
    node: z.string().min(1).optional().describe("the embedded registry's node name (consul agent -node; default: the host name)"),
    datacenter: z
      .string()
      .regex(/^[a-z0-9_-]+$/, { error: 'a datacenter may only contain lowercase letters, digits, - and _ (as Consul requires)' })
      .optional()
      .describe("the embedded registry's datacenter (consul agent -datacenter; default dc1)"),
    peers: z
      .number()
      .int()
      .min(1)
      .max(5)
      .optional()
      .describe('embedded Eureka peers that replicate to each other (AP), each on its own ports; instances spread over them (default 1)'),
    eureka: z
      .strictObject({
        double_expiry_quirk: z.boolean().optional().describe("Eureka's lease expires at 2x duration (default true, as real Eureka)"),
        self_preservation: z.boolean().optional().describe('default true, as real Eureka'),
        serve: z.boolean().optional().describe('serve the Eureka REST API over the same catalog (default false)'),
        port: port.optional().describe('Eureka REST port when serve is true (default 8761)'),
      })
      .optional(),
    nacos: z
      .strictObject({
        protect_threshold: z.number().min(0).max(1).optional().describe('0..1 (default 0)'),
        serve: z.boolean().optional().describe('serve the Nacos naming v1 HTTP API over the same catalog (default false)'),
        port: port.optional().describe('Nacos naming port when serve is true (default 8848)'),
        admin_api: z.boolean().optional().describe("false: admin routes answer 410 as Nacos 3 does by default (default true, as Nacos 2)"),
      })
      .optional(),
  })
  .describe('service registry (Consul HTTP API)');

const versionRoutes = z
  .record(nonEmpty, nonEmpty)
  .describe("registry service name -> the only version routed to (go-micro's selector.FilterVersion; default: every version)");

export const GatewaySchema = z
  .strictObject({
    host: host.optional(),
    port: port.optional().describe('default 8080'),
    namespace: nonEmpty.optional().describe('default go.micro.api'),
    handler: z.enum(['meta', 'api', 'rpc', 'http', 'proxy', 'web', 'event']).optional().describe('as micro api --handler (default meta)'),
    resolver: z.enum(['micro', 'path', 'vpath', 'host', 'grpc']).optional().describe('as micro api --resolver (default micro)'),
    enable_rpc: z.boolean().optional().describe('serve POST /rpc (default true)'),
    cors: z.boolean().optional().describe('default true'),
    balance: z.enum(['random', 'round_robin', 'least_outstanding']).optional().describe('default random'),
    timeout: duration.optional().describe('backend call timeout (default 5s)'),
    retries: z.number().int().min(0).max(10).optional().describe('default 1'),
    unknown_service_status: z
      .union([z.literal(404), z.literal(500)], { error: 'expected 404 or 500' })
      .optional()
      .describe('answer to a path that names no registered service: 404 (default) or 500, micro\'s exact answer'),
    eject: duration.optional().describe('how long a node that refused a connection is skipped (default 10s)'),
    body_limit: size.optional().describe('default 10MiB'),
    hosts: z.array(nonEmpty).optional().describe('Host headers routed by the host resolver'),
    versions: versionRoutes.optional(),
    tls: z
      .union(
        [
          z.literal('auto').describe('a self-signed certificate made at start'),
          z.strictObject({ cert: nonEmpty, key: nonEmpty }),
        ],
        { error: 'expected "auto" or {cert, key}' },
      )
      .optional(),
  })
  .describe('API gateway (micro api)');

const ReadinessSchema = z
  .union(
    [
      z.enum(['registered', 'tcp', 'http']).describe('short form with default settings'),
      z
        .strictObject({
          registered: z.strictObject({ timeout: duration.optional() }).nullable().optional().describe('the instance registered and its check passes'),
          http: z
            .strictObject({
              path: z.string().startsWith('/', { error: 'must start with /' }).optional().describe('default /'),
              port: port.optional().describe("default: the instance's server port"),
              status: z.number().int().min(100).max(599).optional().describe('default 200'),
              timeout: duration.optional(),
            })
            .nullable()
            .optional(),
          tcp: z.strictObject({ port: port.optional(), timeout: duration.optional() }).nullable().optional(),
          log: z.strictObject({ pattern: nonEmpty.describe('regular expression'), timeout: duration.optional() }).optional(),
        })
        .refine((r) => Object.values(r).filter((v) => v !== undefined).length === 1, {
          error: 'give exactly one of registered, http, tcp, log',
        }),
    ],
    { error: 'expected registered, tcp, http, or one of {registered: {...}}, {http: {...}}, {tcp: {...}}, {log: {...}}' },
  )
  .describe('when an instance counts as ready (default registered, timeout 10s)');

const policy = z.enum(['no', 'on-failure', 'always']);
const RestartSchema = z
  .union(
    [
      policy,
      z.strictObject({
        policy: policy.optional(),
        max_restarts: z.number().int().min(0).optional().describe('default 5'),
        backoff: duration.optional().describe('first backoff, doubles each time (default 200ms)'),
        backoff_max: duration.optional().describe('default 5s'),
      }),
    ],
    { error: 'expected no, on-failure, always, or {policy, max_restarts, backoff, backoff_max}' },
  )
  .describe('what happens when an instance exits on its own (default on-failure, 5 restarts)');

const WatchSchema = z
  .union(
    [
      z.boolean().describe("true: watch the module's folder with defaults"),
      z.strictObject({
        paths: z.array(nonEmpty).optional().describe("default: the worker module's folder, else cwd"),
        ignore: z.array(nonEmpty).optional().describe('.micro-dev/, node_modules and .git are always ignored'),
        debounce: duration.optional().describe('default 300ms'),
        build: nonEmpty.optional().describe('command run before the restart'),
        cascade: z.boolean().optional().describe('also restart services that depend on this one (default false)'),
      }),
    ],
    { error: 'expected true/false or {paths, ignore, debounce, build, cascade}' },
  )
  .describe('restart on file changes');

const ContainerSchema = z
  .strictObject({
    image: nonEmpty.optional(),
    dockerfile: nonEmpty.optional().describe('relative to the config file'),
    context: nonEmpty.optional().describe('build context (default: the config file folder)'),
    reach: z.enum(['published', 'network']).optional().describe('how the gateway reaches it (default published)'),
  })
  .describe('runtime: container only');

const envValue = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' });

export const ServiceSchema = z.strictObject({
  runtime: z.enum(['worker', 'process', 'container']).optional().describe('default worker'),
  module: nonEmpty.optional().describe('worker: TypeScript/JavaScript file, relative to the config file'),
  command: z
    .union([nonEmpty, z.array(z.string()).min(1)], { error: 'expected a command line or a list of arguments' })
    .optional()
    .describe('process: a command line (split like a shell, no shell features) or an argv list'),
  cwd: nonEmpty.optional().describe('default: the config file folder'),
  env: z.record(z.string(), envValue).optional(),
  replicas: z.number().int().min(1).max(1000).optional().describe('default 1 (worker services from 16 replicas up share threads)'),
  port: port.optional().describe('fixed port of replica 1 (others +1, +2...); default 0 = free port'),
  depends_on: z
    .union(
      [
        z.array(nonEmpty),
        z.record(
          nonEmpty,
          z.strictObject({
            condition: z.enum(['ready', 'started']).optional().describe('ready (default) or started'),
          }),
        ),
      ],
      { error: 'expected a list of service names or {service: {condition: ready|started}}' },
    )
    .optional()
    .describe('services this one waits for: a list (each ready first) or a map with a condition per service'),
  readiness: ReadinessSchema.optional(),
  restart: RestartSchema.optional(),
  stop_timeout: duration.optional().describe('grace before a forced stop (default 5s)'),
  registry: z
    .enum(['consul', 'eureka', 'nacos', 'etcd'])
    .optional()
    .describe("registry API the instance speaks (MICRO_REGISTRY); eureka/nacos use the embedded registry's faces; etcd needs registry kind etcd (default: etcd with kind etcd, else consul)"),
  version: nonEmpty.optional().describe('version the instances register (MICRO_SERVER_VERSION), e.g. v2 beside v1'),
  weight: z.number().min(0).max(10000).optional().describe('selector weight of each instance, 0..10000 (metadata weight; default 1)'),
  tier: z.enum(['web', 'api', 'srv', 'other']).optional().describe('default: from the name suffix -web/-api/-srv'),
  watch: WatchSchema.optional(),
  container: ContainerSchema.optional(),
});

export const ConfigSchema = z
  .strictObject({
    name: nonEmpty.optional().describe('topology name (default: the config folder name)'),
    registry: RegistrySchema.optional(),
    gateway: GatewaySchema.optional(),
    proxy: z
      .strictObject({ host: host.optional(), port: port.optional(), versions: versionRoutes.optional() })
      .describe('micro proxy (default port 8081)')
      .optional(),
    web: z
      .strictObject({ host: host.optional(), port: port.optional(), namespace: nonEmpty.optional() })
      .describe('web gateway, micro web (default port 8082, namespace go.micro.web)')
      .optional(),
    broker: listen('message broker (default port 0 = free)').optional(),
    faults: listen('fault plane, Toxiproxy-compatible admin API (default port 8474)').optional(),
    control: listen('control API used by status/down (default port 0 = free)').optional(),
    telemetry: z
      .strictObject({
        traces: z.boolean().optional().describe('record a trace of every request through the gateway, proxy and web gateway (default true)'),
        otlp_endpoint: z
          .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:4318' })
          .optional()
          .describe('OTLP/HTTP base URL: every span goes to <url>/v1/traces, and instances get it as OTEL_EXPORTER_OTLP_ENDPOINT (default: OTEL_EXPORTER_OTLP_ENDPOINT of the environment, else none)'),
        slow: duration.optional().describe('a trace at least this long is kept as slow (default 1s)'),
        sample_ratio: z
          .number()
          .min(0)
          .max(1)
          .optional()
          .describe('share of the traces micro-dev starts that are recorded, 0..1 (a caller\'s sampled flag is followed); default: OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG of the environment, else 1'),
      })
      .optional()
      .describe('distributed traces: kept in memory (micro-dev traces) and exported over OTLP/HTTP'),
    services: z.record(z.string(), ServiceSchema).optional().describe('service name -> how to run it'),
    scenarios: z
      .strictObject({
        service: nonEmpty.optional().describe('the service the built-in drills break instead of greeter-srv (scenario run --service overrides)'),
        path: z.string().startsWith('/', { error: 'must start with /' }).optional().describe("GET path the drills' load sends through the gateway (--path overrides)"),
        rpc: z
          .strictObject({ service: nonEmpty, endpoint: nonEmpty, request: z.unknown().optional() })
          .optional()
          .describe("or the POST /rpc body the drills' load sends (--rpc overrides)"),
      })
      .refine((s) => !(s.path !== undefined && s.rpc !== undefined), { error: 'give path or rpc, not both' })
      .optional()
      .describe('how the built-in scenarios aim at this topology (micro-dev scenario run)'),
  })
  .describe('micro-dev topology (micro.dev.yaml)');

/** micro.dev.yaml as written, after the shape check. */
export type RawConfig = z.output<typeof ConfigSchema>;
export type RawService = z.output<typeof ServiceSchema>;
