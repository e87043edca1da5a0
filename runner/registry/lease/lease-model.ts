import type { Clock } from '../../clock/clock.ts';
import type { LeaseSemantics } from '../../config/topology.ts';
import type { CatalogData } from '../catalog-data.ts';
import type { CatalogStore } from '../catalog-store.ts';
import type { IndexFeed } from '../index-feed.ts';
import type {
  CheckRecord,
  CheckStatus,
  InstanceLeaseStatus,
  RegistryEvent,
  RegistryStatus,
  ServiceDefinition,
  ServiceRecord,
} from '../registry-types.ts';

/** What a lease model may do to the registry. Every call goes through the core so events stay complete. */
export interface LeaseHost {
  readonly store: CatalogStore;
  /** The lease clock: model time, already scaled by timeScale. */
  readonly clock: Clock;
  /** Wall-clock ms for event timestamps. */
  wallNow(): number;
  /** Sets a check's status/output (publishes passing/warning/critical on change). */
  setCheck(checkId: string, status: CheckStatus, output: string): void;
  /** Removes a service and its checks (publishes deregistered, plus `evicted` when reason is evicted). */
  removeService(serviceId: string, reason: 'reaped' | 'evicted' | 'deleted'): void;
  emit(event: RegistryEvent): void;
}

/** A read view of the catalog and the feed its blocking queries park on. */
export interface CatalogView {
  readonly data: CatalogData;
  readonly feed: IndexFeed;
}

/**
 * LeaseModel: decides when an instance turns critical and when it disappears. The wire is always Consul's:
 * a TTL pass/warn/fail/update is the model's renew/beat. Models own their timers (on host.clock) and cancel
 * them all in stop().
 */
export interface LeaseModel {
  readonly semantics: LeaseSemantics;
  /** Status of a TTL check registered without `Status`. */
  readonly initialTtlStatus: CheckStatus;
  /** Model-specific registration rule; returns Consul-style 400 text or undefined. */
  validate(def: ServiceDefinition): string | undefined;
  /** After a register / re-register: `written` are the checks created or replaced by it. */
  onRegistered(service: ServiceRecord, written: CheckRecord[], created: boolean): void;
  /**
   * Node-level checks (no service) were registered or a node-level TTL check was updated: models that run
   * TTL timers arm them (Consul); Eureka and Nacos leases are per instance and ignore node checks.
   */
  onNodeChecks?(checks: CheckRecord[]): void;
  /** A TTL check was updated through the API (pass/warn/fail/update): a renew / beat. */
  onHeartbeat(check: CheckRecord): void;
  onRemoved(serviceId: string, checks: CheckRecord[]): void;
  /** What catalog/health reads see (Eureka: its read-only response cache). */
  readView(): CatalogView;
  /** Nacos protect threshold: a rewritten `?passing` result, or undefined to filter normally. */
  protect?(service: string, entries: { service: ServiceRecord; checks: CheckRecord[] }[]): { service: ServiceRecord; checks: CheckRecord[] }[] | undefined;
  leaseOf(service: ServiceRecord): Pick<InstanceLeaseStatus, 'lastHeartbeatAgoMs' | 'leaseLeftMs'>;
  statusExtras(): Partial<RegistryStatus>;
  stop(): void;
}
