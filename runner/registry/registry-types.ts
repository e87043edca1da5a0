/**
 * Plain data shared by the registry's layers:
 *
 *   HTTP layer (http/*) --> RegistryCore (register, deregister, TTL updates) --> CatalogStore (records, index)
 *                                  |                                                ^
 *                                  +--> LeaseModel (consul | eureka | nacos) -------+ on the lease Clock
 *
 * Durations are milliseconds of *model* time (the lease clock, already scaled by `timeScale`).
 */
import type { LeaseSemantics } from '../config/topology.ts';

/**
 * Service meta naming the wire face an instance registered through (`eureka` | `nacos`); absent for Consul.
 * The instance then follows that face's lease rules instead of `registry.semantics`.
 */
export const FACE_META_KEY = 'micro-dev-face';

export type CheckStatus = 'passing' | 'warning' | 'critical';
export const CheckStatuses: readonly CheckStatus[] = ['passing', 'warning', 'critical'];

export type CheckType = 'ttl' | 'http' | 'tcp' | 'udp' | 'grpc' | 'h2ping' | 'script' | 'docker' | 'alias' | 'maintenance';

export interface TaggedAddress {
  Address: string;
  Port: number;
}

/** A service instance as the agent stores it. */
export interface ServiceRecord {
  id: string;
  name: string;
  tags: string[];
  address: string;
  port: number;
  meta: Record<string, string>;
  taggedAddresses?: Record<string, TaggedAddress>;
  weights: { Passing: number; Warning: number };
  enableTagOverride: boolean;
  createIndex: number;
  modifyIndex: number;
}

/** What a registration asks for on one check (decoded, validated, defaults not yet applied). */
export interface CheckDefinition {
  checkId?: string;
  name?: string;
  notes: string;
  status?: CheckStatus;
  type: CheckType;
  ttlMs: number;
  intervalMs: number;
  timeoutMs: number;
  http?: string;
  method?: string;
  header?: Record<string, string[]>;
  body?: string;
  tcp?: string;
  tlsSkipVerify: boolean;
  deregisterCriticalServiceAfterMs: number;
  outputMaxSize: number;
}

/** A check as the agent stores it. `criticalSince` is lease-clock ms of the first critical *update*. */
export interface CheckRecord extends CheckDefinition {
  checkId: string;
  name: string;
  status: CheckStatus;
  output: string;
  serviceId: string;
  serviceName: string;
  serviceTags: string[];
  criticalSince: number | null;
  createIndex: number;
  modifyIndex: number;
}

/** A decoded, validated `PUT /v1/agent/service/register` body. */
export interface ServiceDefinition {
  service: Omit<ServiceRecord, 'createIndex' | 'modifyIndex'>;
  checks: CheckDefinition[];
}

export interface KvEntry {
  key: string;
  value: Buffer | null;
  flags: string;
  lockIndex: number;
  /** The session holding the lock on this key (KV ?acquire=), absent when unlocked. */
  session?: string;
  createIndex: number;
  modifyIndex: number;
}

/**
 * What the registry publishes (dashboard, scenarios, `micro-dev registry status`). `at` is wall-clock ms
 * (Date.now of the base clock) so events line up with the rest of the timeline.
 */
export type RegistryEvent =
  | { type: 'registered'; at: number; serviceId: string; service: string }
  | { type: 'deregistered'; at: number; serviceId: string; service: string; reason: 'api' | 'reaped' | 'evicted' | 'deleted' }
  | {
      type: 'passing' | 'warning' | 'critical';
      at: number;
      checkId: string;
      serviceId: string;
      service: string;
      output: string;
    }
  | { type: 'evicted'; at: number; serviceId: string; service: string; semantics: LeaseSemantics }
  | { type: 'self-preservation'; at: number; enabled: boolean; renewsLastMin: number; threshold: number }
  | { type: 'renew-rate'; at: number; renewsLastMin: number; threshold: number }
  | { type: 'protect-threshold'; at: number; service: string; reached: boolean; healthy: number; total: number }
  | { type: 'lock-acquired'; at: number; key: string; session: string; name: string }
  | { type: 'lock-released'; at: number; key: string; session: string }
  | {
      type: 'session-ended';
      at: number;
      session: string;
      name: string;
      reason: 'destroyed' | 'ttl' | 'check';
      behavior: 'release' | 'delete';
      /** Keys whose lock the session held (released or deleted). */
      keys: string[];
    };

/** One instance's lease as the model sees it. Times are model ms (multiply by timeScale for wall time). */
export interface InstanceLeaseStatus {
  serviceId: string;
  service: string;
  status: CheckStatus;
  /** Model ms since the last pass/warn/fail/update or renew; null when it never heartbeat. */
  lastHeartbeatAgoMs: number | null;
  /** Model ms until the model acts (TTL expiry, Eureka lease expiry, Nacos unhealthy/delete); null = no lease. */
  leaseLeftMs: number | null;
  /** The wire face it registered through. */
  face: 'consul' | 'eureka' | 'nacos';
  /** Its go-micro version (the `v-` tag or metadata `version`); '' when it gives none. */
  version: string;
  /** Its selector weight (metadata `weight`, Nacos's weight; an operator's setWeight); absent = the default 1. */
  weight?: number;
}

/** The lease model's live state (`GET /v1/micro-dev/status`, `StartedRegistry.status()`). */
export interface RegistryStatus {
  semantics: LeaseSemantics;
  profile: 'modern' | 'legacy';
  timeScale: number;
  address: string;
  index: number;
  services: number;
  instances: number;
  passing: number;
  warning: number;
  critical: number;
  /** TTL updates (pass/warn/fail/update: renews, beats) received since the registry started, any semantics. */
  heartbeats: number;
  /** Eureka only: renewals counted in the previous full minute of model time. */
  renewsLastMin?: number;
  /** Eureka only: (int)(expected x 2 x 0.85). */
  renewThreshold?: number;
  /** Eureka only: true while expiry is disabled (renewals <= threshold). */
  selfPreservation?: boolean;
  /** Nacos only: services currently served with protection (healthy ratio <= protectThreshold). */
  protectedServices?: string[];
  /** Lease state of the wire faces' own models (`eureka`: renewals, threshold, self-preservation). */
  faces?: Record<string, Partial<RegistryStatus>>;
  leases: InstanceLeaseStatus[];
  /** KV locks held by sessions (who leads what); absent where there are no sessions (Eureka/Nacos faces). */
  locks?: LockHolder[];
}

/** A KV key locked by a session (`?acquire=`): `name` is the session's Name (the kit sets the instance). */
export interface LockHolder {
  key: string;
  session: string;
  name: string;
  lockIndex: number;
}
