/**
 * EurekaFace: Eureka's registry operations over the one catalog (reference/registry-wire.md §1).
 *
 *   POST /apps/{APP} --> decode --> RegistryCore.register (meta micro-dev-face=eureka, a TTL "lease" check)
 *   PUT  /apps/{APP}/{id} (renew) --> RegistryCore.updateTtl --> the face's EurekaLeaseModel (eviction,
 *                                     self-preservation, the 2x quirk) on the lease clock
 *   GET  /apps, /apps/delta, ...  <-- the response cache: a snapshot of the whole catalog (Consul and Nacos
 *                                     instances too) refreshed every 30 s of model time
 *
 * Instances registered through Consul or Nacos are listed with Eureka's defaults; renew/cancel/status apply
 * only to instances registered here (a renew of any other id is a 404, so an Eureka client re-registers).
 */
import type { Clock, Timer } from '../../clock/clock.ts';
import type { CatalogData } from '../catalog-data.ts';
import { catalogNameOfEurekaApp } from '../faces/face-names.ts';
import { goMicroTags } from '../faces/go-micro-tags.ts';
import { EurekaLeaseModel } from '../lease/eureka-lease-model.ts';
import { repeatingTimer } from '../lease/repeating-timer.ts';
import { aggregate, type RegistryCore } from '../registry-core.ts';
import { FACE_META_KEY, type CheckStatus, type ServiceRecord } from '../registry-types.ts';
import { decodeEurekaRegistration, isEurekaStatus, type EurekaStatus } from './eureka-instance.ts';
import { appsHashcode, effectiveStatus, renderApplications, renderInstance, type ActionType, type EurekaSide } from './eureka-render.ts';

export interface EurekaFaceOptions {
  doubleExpiryQuirk: boolean;
  selfPreservation: boolean;
  /** shouldUseReadOnlyResponseCache (default true): reads see the catalog as of the last 30 s refresh. */
  responseCache?: boolean;
  responseCacheUpdateIntervalMs?: number;
  /** retentionTimeInMSInDeltaQueue (default 3 min). */
  deltaRetentionMs?: number;
}

/** A face operation's outcome: an HTTP status and an optional JSON body (the HTTP layer picks the format). */
export interface FaceReply {
  status: number;
  body?: Record<string, unknown>;
  text?: string;
}

interface View {
  data: CatalogData;
  side: Map<string, EurekaSide>;
  delta: Record<string, unknown>[];
  memo: Map<string, Record<string, unknown>>;
}

export const EUREKA_FACE = 'eureka';

/** The catalog id of an instance registered through Eureka. */
export const eurekaServiceId = (app: string, id: string): string => `eureka:${app.toUpperCase()}:${id}`;

/** What a peer sends to replicate one Eureka instance: its InstanceInfo as a register body carries it. */
export interface EurekaReplica {
  app: string;
  id: string;
  status: EurekaStatus;
  overriddenStatus: EurekaStatus;
  lastDirtyTimestamp: number;
  instanceInfo: Record<string, unknown>;
}

export class EurekaFace {
  readonly model: EurekaLeaseModel;
  /** `POST /peerreplication/batch/`: set by the peer set (`peers/`); absent = 404, as on a standalone server. */
  peerBatch: ((body: string) => FaceReply) | undefined;
  readonly #core: RegistryCore;
  readonly #clock: Clock;
  readonly #o: Required<EurekaFaceOptions>;
  readonly #side = new Map<string, EurekaSide>();
  readonly #lastRendered = new Map<string, Record<string, unknown>>();
  #queue: { at: number; instance: Record<string, unknown> }[] = [];
  #deltaVersion = 0;
  #view: View | undefined;
  readonly #timers: Timer[] = [];
  readonly #unsubscribe: () => void;

  constructor(core: RegistryCore, leaseClock: Clock, options: EurekaFaceOptions) {
    this.#core = core;
    this.#clock = leaseClock;
    this.#o = { responseCache: true, responseCacheUpdateIntervalMs: 30_000, deltaRetentionMs: 180_000, ...options };
    this.model = core.addFaceModel(EUREKA_FACE, (host) => new EurekaLeaseModel(host, {
      doubleExpiryQuirk: options.doubleExpiryQuirk,
      enableSelfPreservation: options.selfPreservation,
      readOnlyCache: false,
    })) as EurekaLeaseModel;
    this.#unsubscribe = core.subscribe((e) => {
      if (e.type === 'registered') this.#changed(e.serviceId, 'ADDED');
      else if (e.type === 'passing' || e.type === 'warning' || e.type === 'critical') this.#changed(e.serviceId, 'MODIFIED');
      else if (e.type === 'deregistered') this.#deleted(e.serviceId);
    });
    if (this.#o.responseCache) {
      this.#view = this.#snapshot();
      const every = this.#o.responseCacheUpdateIntervalMs;
      this.#timers.push(repeatingTimer(leaseClock, every, () => (this.#view = this.#snapshot())));
    }
  }

  register(pathApp: string, body: string): FaceReply {
    const now = this.#clock.now();
    const info = decodeEurekaRegistration(body, pathApp, now);
    const id = eurekaServiceId(info.app, info.id);
    const old = this.#side.get(id);
    // AbstractInstanceRegistry.register keeps the stored instance when it is dirtier than the registrant,
    // and keeps an override set through the status endpoint.
    const kept = old && old.info.lastDirtyTimestamp > info.lastDirtyTimestamp ? { ...old.info } : info;
    if (old && old.info.overriddenStatus !== 'UNKNOWN') kept.overriddenStatus = old.info.overriddenStatus;
    kept.registrationTimestamp = now;
    kept.lastUpdatedTimestamp = now;
    const side: EurekaSide = { info: kept, lastRenewalTimestamp: now, actionType: 'ADDED' };
    this.#side.set(id, side);
    const meta = { ...kept.metadata, [FACE_META_KEY]: EUREKA_FACE };
    const checkId = `${id}:lease`;
    this.#core.register(
      {
        service: {
          id,
          name: catalogNameOfEurekaApp(kept.app),
          tags: goMicroTags(kept.metadata),
          address: kept.ipAddr,
          port: kept.portEnabled || !kept.securePortEnabled ? kept.port : kept.securePort,
          meta,
          weights: { Passing: 1, Warning: 1 },
          enableTagOverride: false,
        },
        checks: [
          {
            checkId,
            name: 'Eureka lease',
            notes: `renew every ${kept.renewalIntervalInSecs}s, lease ${kept.durationInSecs}s`,
            type: 'ttl',
            ttlMs: kept.durationInSecs * 1000,
            intervalMs: 0,
            timeoutMs: 0,
            tlsSkipVerify: false,
            deregisterCriticalServiceAfterMs: 0,
            outputMaxSize: 4096,
          },
        ],
      },
      true,
    );
    this.#core.setProbeResult(checkId, checkStatusOf(effectiveStatus(kept)), `eureka status ${effectiveStatus(kept)}`);
    if (old) this.#changed(id, 'ADDED');
    return { status: 204 };
  }

  /** PUT /apps/{APP}/{id}: 404 asks the client to register again (unknown, UNKNOWN status, dirtier client). */
  renew(app: string, instanceId: string, query: URLSearchParams): FaceReply {
    const id = eurekaServiceId(app, instanceId);
    const side = this.#side.get(id);
    if (!side || !this.#core.store.getService(id)) return { status: 404 };
    const status = effectiveStatus(side.info);
    if (status === 'UNKNOWN') return { status: 404 };
    const dirty = Number(query.get('lastDirtyTimestamp') ?? '');
    if (query.has('lastDirtyTimestamp') && Number.isFinite(dirty) && dirty > side.info.lastDirtyTimestamp) return { status: 404 };
    const now = this.#clock.now();
    side.lastRenewalTimestamp = this.#o.doubleExpiryQuirk ? now + side.info.durationInSecs * 1000 : now;
    this.#core.updateTtl(`${id}:lease`, checkStatusOf(status), `eureka renew (${status})`);
    return { status: 200 };
  }

  cancel(app: string, instanceId: string): FaceReply {
    const id = eurekaServiceId(app, instanceId);
    if (!this.#side.has(id) || !this.#core.store.getService(id)) return { status: 404 };
    this.#core.deregister(id);
    return { status: 200 };
  }

  /** PUT .../status?value=S sets an override; DELETE .../status removes it (status becomes value or UNKNOWN). */
  setStatus(app: string, instanceId: string, value: string | null, remove: boolean): FaceReply {
    const id = eurekaServiceId(app, instanceId);
    const side = this.#side.get(id);
    if (!side || !this.#core.store.getService(id)) return { status: 404 };
    let next: EurekaStatus | undefined;
    if (value !== null) {
      const v = value.toUpperCase();
      // Eureka's InstanceStatus.valueOf throws and the resource answers 500.
      if (!isEurekaStatus(v)) return { status: 500, text: `No enum constant com.netflix.appinfo.InstanceInfo.InstanceStatus.${value}` };
      next = v;
    }
    if (remove) {
      side.info = { ...side.info, overriddenStatus: 'UNKNOWN', status: next ?? 'UNKNOWN' };
    } else {
      if (!next) return { status: 500, text: 'Missing status value' };
      side.info = { ...side.info, overriddenStatus: next, status: next };
    }
    side.info.lastUpdatedTimestamp = this.#clock.now();
    side.actionType = 'MODIFIED';
    const status = effectiveStatus(side.info);
    this.#core.setProbeResult(`${id}:lease`, checkStatusOf(status), `eureka status ${status}`);
    this.#changed(id, 'MODIFIED');
    this.#core.noteWrite({ op: 'status', serviceId: id });
    return { status: 200 };
  }

  /** The instance as a peer replicates it (undefined for an instance that did not come through this face). */
  replicaOf(serviceId: string): EurekaReplica | undefined {
    const side = this.#side.get(serviceId);
    const service = this.#core.store.getService(serviceId);
    if (!side || !service) return undefined;
    const i = side.info;
    return {
      app: i.app,
      id: i.id,
      status: i.status,
      overriddenStatus: i.overriddenStatus,
      lastDirtyTimestamp: i.lastDirtyTimestamp,
      instanceInfo: { ...renderInstance(service, 'passing', side), status: i.status },
    };
  }

  /** PUT .../metadata?k=v: merged into the instance's metadata (and the catalog's meta/tags). */
  setMetadata(app: string, instanceId: string, query: URLSearchParams): FaceReply {
    const id = eurekaServiceId(app, instanceId);
    const side = this.#side.get(id);
    const service = this.#core.store.getService(id);
    if (!side || !service) return { status: 404 };
    const metadata = { ...side.info.metadata };
    for (const [k, v] of query) metadata[k] = v;
    side.info = { ...side.info, metadata, lastUpdatedTimestamp: this.#clock.now() };
    const checks = this.#core.store.checksOf(id).map((c) => ({ ...c }));
    this.#core.store.putService(
      {
        service: { ...service, meta: { ...metadata, [FACE_META_KEY]: EUREKA_FACE }, tags: goMicroTags(metadata) },
        checks,
      },
      { replaceExistingChecks: false, initialStatus: 'passing' },
    );
    this.#changed(id, 'MODIFIED');
    return { status: 200 };
  }

  /** GET /apps: every instance of the catalog, as of the response cache. */
  apps(): Record<string, unknown> {
    const view = this.#current();
    return memo(view, 'apps', () => {
      const all = this.#instances(view);
      return renderApplications(all, 1, appsHashcode(all.map((i) => String(i.status))));
    });
  }

  /** GET /apps/delta: instances changed in the last 3 min; the hashcode is the full registry's. */
  delta(): Record<string, unknown> {
    const view = this.#current();
    return memo(view, 'delta', () => {
      const hash = appsHashcode(this.#instances(view).map((i) => String(i.status)));
      return renderApplications(view.delta, ++this.#deltaVersion, hash);
    });
  }

  app(app: string): Record<string, unknown> | undefined {
    const upper = app.toUpperCase();
    const list = this.#instances(this.#current()).filter((i) => i.app === upper);
    if (list.length === 0) return undefined;
    return { application: { name: upper, instance: list } };
  }

  instance(app: string | undefined, instanceId: string): Record<string, unknown> | undefined {
    const upper = app?.toUpperCase();
    const found = this.#instances(this.#current()).find((i) => (upper === undefined || i.app === upper) && (i.instanceId ?? i.hostName) === instanceId);
    return found && { instance: found };
  }

  /** GET /vips/{vip} or /svips/{svip}: an Applications body of the instances carrying that address. */
  vip(vip: string, secure: boolean): Record<string, unknown> {
    const all = this.#instances(this.#current());
    const key = secure ? 'secureVipAddress' : 'vipAddress';
    const list = all.filter((i) => String(i[key] ?? '').split(',').map((s) => s.trim()).includes(vip));
    return renderApplications(list, 1, appsHashcode(all.map((i) => String(i.status))));
  }

  stop(): void {
    this.#unsubscribe();
    for (const t of this.#timers) t.cancel();
  }

  #current(): View {
    return this.#view ?? this.#snapshot();
  }

  #snapshot(): View {
    this.#prune();
    return {
      data: this.#core.store.freeze(),
      side: new Map(this.#side),
      delta: this.#queue.map((q) => q.instance),
      memo: new Map(),
    };
  }

  #instances(view: View): Record<string, unknown>[] {
    return memo(view, 'instances', () => ({ list: view.data.allServices().map((s) => this.#render(s, view.data, view.side)) })).list as Record<string, unknown>[];
  }

  #render(s: ServiceRecord, data: CatalogData, side: Map<string, EurekaSide>, action?: ActionType): Record<string, unknown> {
    const status: CheckStatus = aggregate(data.checksOf(s.id));
    return renderInstance(s, status, side.get(s.id), action);
  }

  #changed(serviceId: string, action: ActionType): void {
    const s = this.#core.store.getService(serviceId);
    if (!s) return;
    const instance = this.#render(s, this.#core.store, this.#side, action);
    this.#lastRendered.set(serviceId, instance);
    this.#push(instance);
  }

  #deleted(serviceId: string): void {
    const last = this.#lastRendered.get(serviceId);
    this.#lastRendered.delete(serviceId);
    this.#side.delete(serviceId);
    if (last) this.#push({ ...last, actionType: 'DELETED' });
  }

  #push(instance: Record<string, unknown>): void {
    this.#queue.push({ at: this.#clock.now(), instance });
    this.#prune();
  }

  #prune(): void {
    const cutoff = this.#clock.now() - this.#o.deltaRetentionMs;
    let drop = 0;
    while (drop < this.#queue.length && this.#queue[drop].at < cutoff) drop++;
    if (drop) this.#queue = this.#queue.slice(drop);
  }
}

function checkStatusOf(status: EurekaStatus): CheckStatus {
  return status === 'UP' ? 'passing' : 'critical';
}

function memo(view: View, key: string, make: () => Record<string, unknown>): Record<string, unknown> {
  let v = view.memo.get(key);
  if (!v) view.memo.set(key, (v = make()));
  return v;
}

