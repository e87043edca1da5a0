import type { Clock } from '../clock/clock.ts';
import type { RegistryConfig } from '../config/topology.ts';
import { CatalogStore } from './catalog-store.ts';
import { ConsulHttpError, badRequest, notFound } from './consul-http-error.ts';
import { hostname } from 'node:os';
import { agentNode, type AgentNode, type RenderOptions } from './http/render.ts';
import { IndexFeed } from './index-feed.ts';
import type { LeaseHost, LeaseModel } from './lease/lease-model.ts';
import { FACE_META_KEY } from './registry-types.ts';
import { RoutingFacts } from './routing-facts.ts';
import { withWeight } from './weight-override.ts';
import type { CheckDefinition, CheckRecord, CheckStatus, RegistryEvent, RegistryStatus, ServiceDefinition, ServiceRecord } from './registry-types.ts';

export type LeaseModelFactory = (host: LeaseHost) => LeaseModel;

/**
 * A write an API client made on this registry, as Eureka's peer replication sees it (`peers/`): a
 * register, a renew (TTL update), a cancel (deregister through the API), or a status change through a face.
 * Evictions and reaping are not writes: every peer expires leases on its own, as Eureka does.
 */
export type CoreWrite =
  | { op: 'register'; def: ServiceDefinition; replaceExistingChecks: boolean }
  | { op: 'renew'; serviceId: string; checkId: string; status: CheckStatus; output: string }
  | { op: 'cancel'; serviceId: string }
  | { op: 'status'; serviceId: string };

export interface RegistryCoreOptions {
  config: Pick<RegistryConfig, 'semantics' | 'profile' | 'timeScale'>;
  /** Model time (scaled). */
  leaseClock: Clock;
  /** Wall time, for event timestamps. */
  wallClock: Clock;
  leaseModel: LeaseModelFactory;
  feed?: IndexFeed;
  /** The agent's node (default: the host name in dc1). */
  node?: AgentNode;
}

/**
 * RegistryCore: the agent's operations independent of HTTP (register, deregister, TTL updates) over the
 * catalog store, with the lease model deciding expiry. Errors are ConsulHttpError with Consul's texts.
 * Listeners are called synchronously and must not throw (a throwing listener is isolated and ignored).
 */
export class RegistryCore {
  readonly store: CatalogStore;
  readonly model: LeaseModel;
  readonly node: AgentNode;
  /** Profile and node, for the JSON renderers. */
  readonly render: RenderOptions;
  readonly #opts: RegistryCoreOptions;
  readonly #host: LeaseHost;
  /** Lease models of the Eureka and Nacos wire faces, picked by a service's `micro-dev-face` meta. */
  readonly #faceModels = new Map<string, LeaseModel>();
  readonly #listeners = new Set<(e: RegistryEvent) => void>();
  readonly #probeHooks = new Set<{ registered(checks: CheckRecord[]): void; removed(checks: CheckRecord[]): void }>();
  readonly #writeListeners = new Set<(w: CoreWrite) => void>();
  #heartbeats = 0;
  /** Selector weights set by the operator (`setWeight`), by service id: they survive re-registration. */
  readonly #weights = new Map<string, number>();
  readonly #routing = new RoutingFacts();

  constructor(opts: RegistryCoreOptions) {
    this.#opts = opts;
    this.node = opts.node ?? agentNode(hostname(), 'dc1');
    this.render = { profile: opts.config.profile, node: this.node };
    this.store = new CatalogStore(opts.feed ?? new IndexFeed());
    const host: LeaseHost = {
      store: this.store,
      clock: opts.leaseClock,
      wallNow: () => opts.wallClock.now(),
      setCheck: (id, status, output) => this.#setCheck(id, status, output),
      removeService: (id, reason) => this.#remove(id, reason),
      emit: (e) => this.emit(e),
    };
    this.#host = host;
    this.model = opts.leaseModel(host);
  }

  /** Adds the lease model for instances registered through another wire face (`meta[micro-dev-face]`). */
  addFaceModel(face: string, factory: LeaseModelFactory): LeaseModel {
    const model = factory(this.#host);
    this.#faceModels.get(face)?.stop();
    this.#faceModels.set(face, model);
    return model;
  }

  /** The lease model that rules an instance: its face's, else `registry.semantics`. */
  modelOf(service: Pick<ServiceRecord, 'meta'> | undefined): LeaseModel {
    const face = service?.meta[FACE_META_KEY];
    return (face && this.#faceModels.get(face)) || this.model;
  }

  get profile(): 'modern' | 'legacy' {
    return this.#opts.config.profile;
  }

  subscribe(listener: (e: RegistryEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Follows the writes clients make (after they succeed); returns the unsubscribe function. */
  onWrite(listener: (w: CoreWrite) => void): () => void {
    this.#writeListeners.add(listener);
    return () => this.#writeListeners.delete(listener);
  }

  /** Tells the write listeners about a write made outside register/updateTtl/deregister (a face's status). */
  noteWrite(w: CoreWrite): void {
    for (const l of this.#writeListeners) {
      try {
        l(w);
      } catch {
        // A broken listener must not fail the client's write.
      }
    }
  }

  /** Lets the interval-check runner (HTTP/TCP probes) follow registrations. */
  onChecks(hook: { registered(checks: CheckRecord[]): void; removed(checks: CheckRecord[]): void }): void {
    this.#probeHooks.add(hook);
  }

  emit(e: RegistryEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch {
        // A broken subscriber must not break the registry.
      }
    }
  }

  now(): number {
    return this.#opts.wallClock.now();
  }

  register(def: ServiceDefinition, replaceExistingChecks: boolean): void {
    const weight = this.#weights.get(def.service.id);
    if (weight !== undefined) def = { ...def, service: withWeight(def.service, weight) };
    const model = this.modelOf(def.service);
    const problem = model.validate(def);
    if (problem) throw badRequest(problem);
    const r = this.store.putService(def, { replaceExistingChecks, initialStatus: model.initialTtlStatus });
    if (r.removedChecks.length) {
      for (const h of this.#probeHooks) h.removed(r.removedChecks);
    }
    model.onRegistered(r.service, r.written, r.created);
    for (const h of this.#probeHooks) h.registered(r.written);
    if (r.created) this.emit({ type: 'registered', at: this.now(), serviceId: r.service.id, service: r.service.name });
    this.noteWrite({ op: 'register', def, replaceExistingChecks });
  }

  /**
   * Sets the selector weight of a registered instance (a canary's traffic share), as Nacos's console sets
   * an instance's weight: it holds across the instance's own re-registrations and heartbeats until it
   * deregisters, and every face reads it (go-micro metadata tag, Meta `weight`, Weights.Passing).
   * 404 text for an unknown service id.
   */
  setWeight(serviceId: string, weight: number): void {
    const service = this.store.getService(serviceId);
    if (!service) throw notFound(`No service registered with ID ${JSON.stringify(serviceId)}`);
    if (!Number.isFinite(weight) || weight < 0 || weight > 10_000) throw badRequest(`weight must be a number from 0 to 10000, got ${weight}`);
    this.#weights.set(serviceId, weight);
    const { createIndex: _c, modifyIndex: _m, ...fields } = service;
    this.store.putService({ service: withWeight(fields, weight), checks: [] }, { replaceExistingChecks: false, initialStatus: this.modelOf(service).initialTtlStatus });
  }

  /** The weight set by setWeight for a service id, if any. */
  weightOverride(serviceId: string): number | undefined {
    return this.#weights.get(serviceId);
  }

  /** agent/check/register: a check of an existing service, or of the node when `serviceId` is ''. */
  registerCheck(serviceId: string, def: CheckDefinition & { checkId: string }): void {
    if (serviceId === '') {
      const record = this.store.putCheck('', def, 'critical');
      this.model.onNodeChecks?.([record]);
      for (const h of this.#probeHooks) h.registered([record]);
      return;
    }
    const service = this.store.getService(serviceId);
    if (!service) throw badRequest(`ServiceID ${JSON.stringify(serviceId)} does not exist`);
    const model = this.modelOf(service);
    const record = this.store.putCheck(serviceId, def, model.initialTtlStatus);
    model.onRegistered(service, [record], false);
    for (const h of this.#probeHooks) h.registered([record]);
  }

  /**
   * Maintenance mode (agent.EnableNodeMaintenance / EnableServiceMaintenance): a critical check of type
   * `maintenance` on the node (`_node_maintenance`) or the service (`_service_maintenance:<id>`), its Notes
   * the reason; enabling twice keeps the first, disabling removes it. 404 text for an unknown service.
   */
  setMaintenance(serviceId: string, enable: boolean, reason: string): void {
    const service = serviceId === '' ? undefined : this.store.getService(serviceId);
    if (serviceId !== '' && !service) throw notFound(`No service registered with ID ${JSON.stringify(serviceId)}`);
    const checkId = serviceId === '' ? '_node_maintenance' : `_service_maintenance:${serviceId}`;
    const existing = this.store.getCheck(checkId);
    if (!enable) {
      if (existing) this.store.removeCheck(checkId);
      return;
    }
    if (existing) return;
    const notes =
      reason ||
      (serviceId === ''
        ? 'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.'
        : 'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.');
    const record = this.store.putCheck(
      serviceId,
      {
        checkId,
        name: serviceId === '' ? 'Node Maintenance Mode' : 'Service Maintenance Mode',
        notes,
        status: 'critical',
        type: 'maintenance',
        ttlMs: 0,
        intervalMs: 0,
        timeoutMs: 0,
        tlsSkipVerify: false,
        deregisterCriticalServiceAfterMs: 0,
        outputMaxSize: 4096,
      },
      'critical',
    );
    this.emit({ type: 'critical', at: this.now(), checkId, serviceId, service: service?.name ?? '', output: notes });
    void record;
  }

  deregisterCheck(checkId: string): void {
    const check = this.store.getCheck(checkId);
    if (!check) {
      if (this.profile === 'legacy') return;
      throw notFound(`Unknown check ID ${JSON.stringify(checkId)}. Ensure that the check ID is passed, not the check name.`);
    }
    const model = this.modelOf(this.store.getService(check.serviceId));
    this.store.removeCheck(checkId);
    model.onRemoved(check.serviceId, [check]);
    for (const h of this.#probeHooks) h.removed([check]);
  }

  deregister(serviceId: string): void {
    if (!this.store.getService(serviceId)) {
      if (this.profile === 'legacy') return;
      throw notFound(`Unknown service ID ${JSON.stringify(serviceId)}. Ensure that the service ID is passed, not the service name.`);
    }
    this.#remove(serviceId, 'api');
    this.noteWrite({ op: 'cancel', serviceId });
  }

  /** pass/warn/fail/update on a TTL check: a heartbeat for the lease model. */
  updateTtl(checkId: string, status: CheckStatus, output: string): void {
    const check = this.store.getCheck(checkId);
    if (!check) {
      if (this.profile === 'legacy') throw new ConsulHttpError(500, `CheckID ${JSON.stringify(checkId)} does not have associated TTL`);
      throw notFound(`Unknown check ID ${JSON.stringify(checkId)}. Ensure that the check ID is passed, not the check name.`);
    }
    if (check.type !== 'ttl') throw new ConsulHttpError(500, `CheckID ${JSON.stringify(checkId)} does not have associated TTL`);
    this.#setCheck(checkId, status, truncateOutput(output, check.outputMaxSize));
    this.#heartbeats++;
    this.modelOf(this.store.getService(check.serviceId)).onHeartbeat(this.store.getCheck(checkId)!);
    this.noteWrite({ op: 'renew', serviceId: check.serviceId, checkId, status, output });
  }

  /** Sets a check from a probe result (HTTP/TCP interval checks) or a restored state; not a heartbeat. */
  setProbeResult(checkId: string, status: CheckStatus, output: string): void {
    const check = this.store.getCheck(checkId);
    if (check) this.#setCheck(checkId, status, truncateOutput(output, check.outputMaxSize));
  }

  status(address: string): RegistryStatus {
    let passing = 0;
    let warning = 0;
    let critical = 0;
    const leases = [];
    const names = new Set<string>();
    for (const s of this.store.allServices()) {
      names.add(s.name);
      const st = aggregate(this.store.checksOf(s.id));
      if (st === 'passing') passing++;
      else if (st === 'warning') warning++;
      else critical++;
      leases.push({ serviceId: s.id, service: s.name, status: st, ...this.modelOf(s).leaseOf(s), ...this.#routing.of(s) });
    }
    return {
      semantics: this.model.semantics,
      profile: this.profile,
      timeScale: this.#opts.config.timeScale,
      address,
      index: this.store.feed.index,
      services: names.size,
      instances: leases.length,
      passing,
      warning,
      critical,
      heartbeats: this.#heartbeats,
      ...this.model.statusExtras(),
      ...(this.#faceModels.size ? { faces: Object.fromEntries([...this.#faceModels].map(([f, m]) => [f, m.statusExtras()])) } : {}),
      leases,
    };
  }

  stop(): void {
    this.model.stop();
    for (const m of this.#faceModels.values()) m.stop();
  }

  #setCheck(checkId: string, status: CheckStatus, output: string): void {
    const r = this.store.setCheckStatus(checkId, status, output, this.#opts.leaseClock.now());
    if (!r || r.previous === status) return;
    this.emit({ type: status, at: this.now(), checkId, serviceId: r.check.serviceId, service: r.check.serviceName, output });
  }

  #remove(serviceId: string, reason: 'api' | 'reaped' | 'evicted' | 'deleted'): void {
    const r = this.store.removeService(serviceId);
    if (!r) return;
    this.#weights.delete(serviceId);
    const model = this.modelOf(r.service);
    model.onRemoved(serviceId, r.checks);
    for (const h of this.#probeHooks) h.removed(r.checks);
    const at = this.now();
    if (reason === 'evicted') {
      this.emit({ type: 'evicted', at, serviceId, service: r.service.name, semantics: model.semantics });
    }
    this.emit({ type: 'deregistered', at, serviceId, service: r.service.name, reason });
  }
}

/** Worst status of a service's checks; an instance with no checks counts as passing. */
export function aggregate(checks: CheckRecord[]): CheckStatus {
  let worst: CheckStatus = 'passing';
  for (const c of checks) {
    if (c.status === 'critical') return 'critical';
    if (c.status === 'warning') worst = 'warning';
  }
  return worst;
}

/** `CheckTTL.SetStatus`: keeps the first `max` bytes and says how much was captured. */
export function truncateOutput(output: string, max: number): string {
  const bytes = Buffer.byteLength(output);
  if (bytes <= max) return output;
  return `${Buffer.from(output).subarray(0, max).toString()} ... (captured ${max} of ${bytes} bytes)`;
}
