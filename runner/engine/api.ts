/**
 * OrchestratorApi: the only thing the dashboard, the control API and scenarios see of the engine.
 * The same interface is served by the local engine and by a remote client of the control API
 * (`micro-dev ui` attaching to a running `up`).
 *
 *   engine (one writer) ──snapshot + events──> subscribers (TUI, control API, scenarios)
 *        ^                                            │
 *        └──────────────── commands ──────────────────┘
 *
 * A subscriber first receives a full snapshot, then every event after it, with no gap. Subscribers cannot
 * block the engine: a slow one gets its events coalesced into the next snapshot.
 */
import type { TraceDetail, TraceQuery, TraceSummary } from '../traces/trace-types.ts';

/** Closed set of instance states. */
export const InstanceStates = [
  'pending', // declared, waiting for dependencies
  'starting', // runtime started, not yet ready
  'ready', // readiness passed (registered and passing, or its own wait strategy)
  'unhealthy', // running but the registry says critical
  'stopping',
  'stopped', // stopped on request
  'crashed', // exited on its own; may restart
  'backoff', // waiting before a restart
  'failed', // gave up (max restarts / start failure)
  'paused', // SIGSTOP
] as const;
export type InstanceState = (typeof InstanceStates)[number];

/**
 * Traffic over a sliding window (10 s) that empties itself once traffic stops. Per instance it is counted at
 * the instance's inbound link (every caller: gateway, proxy, other services, scenario loads); per service
 * it is the sum of its instances. An error is every failed call: a 5xx or 408 answer, a go-micro error
 * (`Micro-Error`) with such a code, or a connection that closed, reset or was refused before any answer.
 */
export interface TrafficStats {
  /** Requests finished in the window. */
  requests: number;
  /** Failed requests in the window. */
  errors: number;
  /** Requests per second over the window. */
  rps: number;
  /** errors / requests, 0..1. */
  errorRate: number;
  /** Latency percentiles in milliseconds (time to the first byte of the answer, or to the failure). */
  p50: number;
  p99: number;
  /** Length of the window in milliseconds. */
  windowMs: number;
}

export interface InstanceView {
  instance: string;
  service: string;
  tier: 'web' | 'api' | 'srv' | 'other';
  runtime: 'worker' | 'process' | 'container';
  state: InstanceState;
  /** host:port the instance serves on, once known. */
  address?: string;
  /** pid, tid:N or container id. */
  ref?: string;
  restarts: number;
  /** Registry id (`go.micro.srv.greeter-<uuid>`) once registered. */
  registryId?: string;
  /** Milliseconds since the last heartbeat the registry saw; lease left before it turns critical. */
  heartbeatAgeMs?: number;
  leaseLeftMs?: number;
  /** Faults active on this instance (`partition`, `heartbeat-loss`, `latency`...). */
  faults: string[];
  traffic?: TrafficStats;
  lastError?: string;
  /** With a failure (crashed, failed): the instance's last output lines, oldest first. */
  lastLines?: string[];
  /** While pending: the services it waits for (its depends_on). */
  waitingFor?: string[];
  /** Its service is watched by `up`: a save reloads it (blue-green). */
  watched?: boolean;
  /** The registry API it registered through (`services.<name>.registry`; consul by default). */
  face?: 'consul' | 'eureka' | 'nacos';
  /** The go-micro version it registered (`services.<name>.version`), once registered; '' = none given. */
  version?: string;
  /** Its selector weight in the registry (`services.<name>.weight`, or a `set-weight` command); absent = 1. */
  weight?: number;
  /** Every request counted at its inbound link since micro-dev started (kept across its restarts). */
  served?: { requests: number; errors: number };
}

/** One member of a registry that runs as several (an etcd cluster), with the faults put on it. */
export interface RegistryMemberView {
  name: string;
  /** leader / follower (consensus), no-leader (answers, knows no leader), peer (AP peers), down. */
  role: 'leader' | 'follower' | 'no-leader' | 'peer' | 'down';
  /** Raft term, when the member reports one. */
  term?: number;
  /** host:port clients dial for this member (its client link). */
  address: string;
  /** Its fault-plane links (client side first). */
  links: string[];
  /** Registry faults on it now (`partition`, `kill`, `slow`). */
  faults: string[];
}

export interface RegistryView {
  kind: 'embedded' | 'consul' | 'etcd';
  semantics: 'consul' | 'eureka' | 'nacos' | 'etcd';
  /** A registry of several members (etcd): each one's role and links. */
  members?: RegistryMemberView[];
  address: string;
  passing: number;
  critical: number;
  /**
   * Renewals (TTL passes, Eureka renews, Nacos beats) per minute. Eureka: the previous full minute of model
   * time, as Eureka counts it against the threshold; other semantics: measured over the last 60 s.
   */
  renewsLastMin?: number;
  renewThreshold?: number;
  selfPreservation?: boolean;
  /** KV locks held by sessions: who leads what (the session's name, the kit sets the instance). */
  locks?: { key: string; holder: string }[];
}

/** A trace a scenario step lists (its failed and slowest ones), with the hop and fault that explain it. */
export interface StepTraceView {
  traceId: string;
  name: string;
  durationMs: number;
  failed: boolean;
  explanation?: string;
}

export interface ScenarioView {
  name: string;
  startedAt: number;
  /**
   * `traces`: once the scenario has ended (tracing on), the failed and the slowest traces that started
   * while the step was on, failed first; their spans stay readable through `trace(id)` after the
   * scenario's own topology is gone.
   */
  steps: { at: number; label: string; state: 'pending' | 'active' | 'done'; traces?: StepTraceView[] }[];
  expectations: { label: string; state: 'pending' | 'pass' | 'fail'; detail?: string }[];
}

export interface Snapshot {
  topology: string;
  startedAt: number;
  ready: boolean;
  urls: { gateway: string; proxy: string; web: string; registry: string; faults?: string };
  instances: InstanceView[];
  registry: RegistryView;
  /** Gateway requests per second, one sample per second, oldest first, at most 60. */
  gatewayRps: number[];
  /** Per service (topology name, `greeter-srv`): the sum of its instances' windows; absent when idle. */
  services?: Record<string, TrafficStats>;
  scenario?: ScenarioView;
}

export type EngineEvent =
  | { type: 'instance'; at: number; view: InstanceView; message?: string }
  | { type: 'log'; at: number; instance: string; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'registry'; at: number; view: RegistryView; message?: string }
  | { type: 'traffic'; at: number; gatewayRps: number[]; services?: Record<string, TrafficStats> }
  | { type: 'scenario'; at: number; view: ScenarioView; message?: string }
  | { type: 'ready'; at: number; urls: Snapshot['urls'] }
  | { type: 'shutdown'; at: number };

/** The faults an instance can be given (dashboard keys, `fault-add`/`fault-rm`, `micro-dev chaos`). */
export const InstanceFaultKinds = ['partition', 'heartbeat-loss', 'latency'] as const;
export type InstanceFaultKind = (typeof InstanceFaultKinds)[number];

/** Faults on the registry's own members (registry kind etcd; scenario faults registry-partition/-member-kill/-member-slow). */
export const RegistryFaultKinds = ['partition', 'kill', 'slow'] as const;
export type RegistryFaultKind = (typeof RegistryFaultKinds)[number];

/**
 * A registry fault: `members` are member names, or `leader` / `follower` (resolved when applied; two
 * `follower`s are two different ones). partition: cut the members off the others (`from` peers, clients or
 * both; with peers the named members form one side of a split, the rest the other); kill: SIGKILL until the
 * heal; slow: `latencyMs` on every link of theirs. `on: false` heals the fault added under `id`.
 */
export interface RegistryFaultCommand {
  type: 'registry-fault';
  fault: RegistryFaultKind;
  on: boolean;
  /** Names the fault for its heal (default: the fault kind). */
  id?: string;
  members?: string[];
  from?: 'peers' | 'clients' | 'both';
  latencyMs?: number;
}

/**
 * `instance` names an instance (`greeter-srv-1`) or a service (`greeter-srv`: all its instances; `start`
 * of a service also starts what it depends on that does not run).
 */
export type Command =
  | { type: 'kill'; instance: string }
  | { type: 'restart'; instance: string }
  | { type: 'stop'; instance: string }
  | { type: 'start'; instance: string }
  /** More replicas start (after the service's dependencies); fewer: the highest ones stop and go away. */
  | { type: 'scale'; service: string; replicas: number }
  | { type: 'toggle-fault'; instance: string; fault: InstanceFaultKind }
  /** Idempotent: on (add) or off (rm) whatever it was; `ok` is false only for an unknown instance or fault. */
  | { type: 'fault-add'; instance: string; fault: InstanceFaultKind }
  | { type: 'fault-rm'; instance: string; fault: InstanceFaultKind }
  /**
   * Selector weight of an instance, or of every instance of a service, in the embedded registry: it holds
   * across their re-registrations, and restarts register with it (a canary's traffic share).
   */
  | { type: 'set-weight'; instance: string; weight: number }
  /**
   * Routes the gateway's and the proxy's calls to `service` (a registry name, `go.micro.srv.greeter`) to
   * one version only (go-micro's selector.FilterVersion); no version = every version again.
   */
  | { type: 'route-version'; service: string; version?: string }
  | { type: 'run-scenario'; name: string }
  | RegistryFaultCommand
  | { type: 'shutdown' };

export interface CommandResult {
  ok: boolean;
  message: string;
  /** registry-fault: the members it was applied to (leader / follower resolved). */
  members?: string[];
}

export interface OrchestratorApi {
  /** Current state (a copy; safe to keep). */
  snapshot(): Snapshot;
  /**
   * Calls listener(snapshot) synchronously first, then (event) for every later event, until the returned
   * function is called. Listeners must not throw; a throwing listener is unsubscribed.
   */
  subscribe(listener: (update: { snapshot: Snapshot } | { event: EngineEvent }) => void): () => void;
  /** Runs a command; resolves when it has been applied (not when e.g. a restarted instance is ready). */
  command(command: Command): Promise<CommandResult>;
  /** Recent log lines (bounded), oldest first, optionally of one instance. */
  logs(instance?: string, limit?: number): { instance: string; stream: string; line: string; at: number }[];
  /** Recorded traces, newest first (runner/traces: the last ones, every failed and slow one, capped); [] when tracing is off. */
  traces(query?: TraceQuery): Promise<TraceSummary[]>;
  /** One trace with its spans, by id or a unique prefix; undefined when it is not (or no longer) kept. */
  trace(id: string): Promise<TraceDetail | undefined>;
}

export type { SpanEventRecord, SpanKindName, SpanRecord, TraceDetail, TraceQuery, TraceSummary } from '../traces/trace-types.ts';
