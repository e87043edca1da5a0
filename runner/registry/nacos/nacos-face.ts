/**
 * NacosFace: Nacos naming v1 operations over the one catalog (reference/registry-wire.md §2).
 *
 *   POST/DELETE/PUT/PATCH /instance --> RegistryCore (meta micro-dev-face=nacos, weight; ephemeral: a TTL
 *                                       "beat" check ruled by the face's NacosLeaseModel - unhealthy after
 *                                       15 s, deleted after 30 s; persistent: a TCP probe every 5 s)
 *   PUT /instance/beat  --> a heartbeat, or a registration from the `beat` JSON (nacos-naming never
 *                           re-registers by itself)
 *   GET /instance/list  <-- every catalog instance of the service (Consul and Eureka ones too), live
 *
 * Times answered to clients (`clientBeatInterval`, `cacheMillis`) are wall-clock ms, i.e. model time x
 * `registry.timeScale`, because the clients sleep on their own clock.
 */
import { ConsulHttpError } from '../consul-http-error.ts';
import { catalogNameOfNacos, nacosNameOf, type NacosServiceName } from '../faces/face-names.ts';
import { goMicroTags } from '../faces/go-micro-tags.ts';
import { NacosLeaseModel } from '../lease/nacos-lease-model.ts';
import { aggregate, type RegistryCore } from '../registry-core.ts';
import { FACE_META_KEY, type CheckDefinition, type ServiceRecord } from '../registry-types.ts';
import { DEFAULT_CLUSTER, NacosError, NacosParams, parseBeat, parseMetadata, type NacosInstanceInput } from './nacos-params.ts';
import { NacosPush, type Subscription } from './nacos-push.ts';

export const NACOS_FACE = 'nacos';

export interface NacosFaceOptions {
  protectThreshold: number;
  timeScale: number;
}

interface Side {
  input: NacosInstanceInput;
  instanceId: string;
}

interface ServiceSettings {
  persistent: boolean;
  protectThreshold: number;
  metadata: Record<string, string>;
}

const PRESERVED = { interval: 'preserved.heart.beat.interval', timeout: 'preserved.heart.beat.timeout', delete: 'preserved.ip.delete.timeout' };
const grouped = (n: NacosServiceName) => `${n.group}@@${n.service}`;
const instanceIdOf = (i: NacosInstanceInput) => `${i.ip}#${i.port}#${i.cluster}#${grouped(i)}`;
/**
 * The catalog id of a Nacos instance: `nacos:<namespace>:<instanceId>`, or, when its metadata carries a
 * go-micro node id (`id`, as the kit sends), `nacos:<namespace>:<group@@service>:<node id>`, so readers
 * of the catalog see the node id they know.
 */
export const nacosServiceId = (i: Pick<NacosInstanceInput, 'namespace' | 'group' | 'service' | 'ip' | 'port' | 'cluster'> & { metadata?: Record<string, string> }): string =>
  i.metadata?.id ? `nacos:${i.namespace}:${grouped(i)}:${i.metadata.id}` : `nacos:${i.namespace}:${instanceIdOf(i as NacosInstanceInput)}`;

export class NacosFace {
  readonly model: NacosLeaseModel;
  readonly push: NacosPush;
  readonly #core: RegistryCore;
  readonly #o: NacosFaceOptions;
  readonly #side = new Map<string, Side>();
  readonly #services = new Map<string, ServiceSettings>();
  readonly #unsubscribe: () => void;
  readonly #pending = new Set<string>();
  /** `<namespace>|<instanceId>` -> catalog id (the id may come from metadata). */
  readonly #ids = new Map<string, string>();

  constructor(core: RegistryCore, options: NacosFaceOptions) {
    this.#core = core;
    this.#o = options;
    this.model = core.addFaceModel(NACOS_FACE, (host) => new NacosLeaseModel(host, {
      protectThreshold: options.protectThreshold,
      scope: (s) => s.meta[FACE_META_KEY] === NACOS_FACE,
    })) as NacosLeaseModel;
    this.push = new NacosPush((s) => JSON.stringify(this.#serviceInfo(s, false)));
    this.#unsubscribe = core.subscribe((e) => {
      if (e.type === 'deregistered') {
        const side = this.#side.get(e.serviceId);
        this.#side.delete(e.serviceId);
        if (side) this.#ids.delete(`${side.input.namespace}|${side.instanceId}`);
      }
      if ('service' in e && e.type !== 'protect-threshold') this.#changed(e.service);
    });
  }

  register(p: NacosParams): string {
    this.#put(p.instance());
    return 'ok';
  }

  deregister(p: NacosParams): string {
    const name = p.service();
    const id = this.#idOf({ ...name, ip: p.required('ip'), port: p.int('port'), cluster: p.cluster() });
    if (this.#core.store.getService(id)) this.#core.deregister(id);
    return 'ok';
  }

  /** PUT replaces weight/enabled/metadata; PATCH changes only the parameters given. */
  update(p: NacosParams, patch: boolean): string {
    const name = p.service();
    const key = { ...name, ip: p.required('ip'), port: p.int('port'), cluster: p.cluster() };
    const side = this.#side.get(this.#idOf(key));
    if (!side) throw new NacosError(400, `instance not exist: ${key.ip}:${key.port} in cluster ${key.cluster} of service ${grouped(name)}`);
    const old = side.input;
    const given = (k: string) => p.get(k) !== undefined;
    this.#put({
      ...old,
      weight: patch && !given('weight') ? old.weight : p.weight(old.weight),
      enabled: patch && !given('enabled') && !given('enable') ? old.enabled : p.bool('enabled', true, 'enable'),
      metadata: patch && !given('metadata') ? old.metadata : parseMetadata(p.get('metadata')),
    });
    return 'ok';
  }

  beat(p: NacosParams): Record<string, unknown> {
    const name = p.service();
    const text = p.get('beat');
    const b = text ? parseBeat(text) : undefined;
    const key = { ...name, ip: b?.ip ?? p.required('ip'), port: b?.port ?? p.int('port'), cluster: b?.cluster ?? p.cluster() } as NacosInstanceInput;
    let id = this.#idOf(key);
    let side = this.#side.get(id);
    if ((!side || !this.#core.store.getService(id)) && b) {
      // InstanceOperatorClientImpl.handleBeat: an unknown instance with a beat body registers from it.
      this.#put({ ...key, weight: b.weight, enabled: true, healthy: true, ephemeral: b.ephemeral, metadata: b.metadata });
      id = this.#idOf(key);
      side = this.#side.get(id);
    }
    if (!side || !this.#core.store.getService(id)) return { clientBeatInterval: this.#wall(this.#timing(undefined, 'interval')), code: 20404, lightBeatEnabled: true };
    if (side.input.ephemeral) this.#core.updateTtl(`${id}:beat`, side.input.enabled ? 'passing' : 'critical', 'nacos beat');
    return { clientBeatInterval: this.#wall(this.#timing(side.input.metadata, 'interval')), code: 10200, lightBeatEnabled: true };
  }

  list(p: NacosParams, peer: string): Record<string, unknown> {
    const name = p.service();
    const clusters = p.get('clusters') ?? '';
    const sub: Subscription = { ...name, name: catalogNameOfNacos(name), clusters };
    const udpPort = Number(p.get('udpPort') ?? 0);
    if (Number.isInteger(udpPort) && udpPort > 0 && udpPort < 65536) this.push.subscribe(sub, peer, udpPort);
    return this.#serviceInfo(sub, p.bool('healthyOnly', false));
  }

  detail(p: NacosParams): Record<string, unknown> {
    const name = p.service();
    const key = { ...name, ip: p.required('ip'), port: p.int('port'), cluster: p.cluster() };
    const host = this.#hosts(catalogNameOfNacos(name), name, key.cluster).find((h) => h.ip === key.ip && h.port === key.port);
    if (!host) throw new NacosError(404, `no ips found for cluster ${key.cluster} in service ${grouped(name)}`);
    return { service: grouped(name), ip: host.ip, port: host.port, clusterName: host.clusterName, weight: host.weight, healthy: host.healthy, instanceId: host.instanceId, metadata: host.metadata };
  }

  createService(p: NacosParams): string {
    const name = p.service();
    const cat = catalogNameOfNacos(name);
    if (this.#services.has(cat) || this.#core.store.instancesOf(cat).length) throw new NacosError(400, `specified service already exists, serviceName : ${grouped(name)}`);
    this.#services.set(cat, { persistent: true, protectThreshold: this.#threshold(p, 0), metadata: parseMetadata(p.get('metadata')) });
    return 'ok';
  }

  updateService(p: NacosParams): string {
    const name = p.service();
    const cat = catalogNameOfNacos(name);
    const old = this.#services.get(cat);
    if (!old && !this.#core.store.instancesOf(cat).length) throw new NacosError(400, `service ${grouped(name)} not found!`);
    const base = old ?? { persistent: false, protectThreshold: this.#o.protectThreshold, metadata: {} };
    this.#services.set(cat, {
      ...base,
      protectThreshold: this.#threshold(p, base.protectThreshold),
      metadata: p.get('metadata') !== undefined ? parseMetadata(p.get('metadata')) : base.metadata,
    });
    return 'ok';
  }

  deleteService(p: NacosParams): string {
    const name = p.service();
    const cat = catalogNameOfNacos(name);
    if (this.#core.store.instancesOf(cat).length) throw new NacosError(400, `service ${grouped(name)} is not empty, can't be delete. Please unregister instance first`);
    if (!this.#services.delete(cat)) throw new NacosError(400, `specified service not exist, serviceName : ${grouped(name)}`);
    return 'ok';
  }

  getService(p: NacosParams): Record<string, unknown> {
    const name = p.service();
    const cat = catalogNameOfNacos(name);
    const settings = this.#services.get(cat);
    const hosts = this.#hosts(cat, name, '');
    if (!settings && hosts.length === 0) throw new NacosError(400, `service ${grouped(name)} is not found!`);
    return {
      namespaceId: name.namespace,
      groupName: name.group,
      name: name.service,
      protectThreshold: settings?.protectThreshold ?? this.#o.protectThreshold,
      metadata: settings?.metadata ?? {},
      selector: { type: 'none', contextType: 'NONE' },
      clusters: [...new Set(hosts.map((h) => h.clusterName as string))].map((c) => ({ name: c, healthChecker: { type: 'NONE' }, metadata: {} })),
    };
  }

  /** GET /service/list: grouped names of one namespace and group, paged (pageNo from 1). */
  serviceList(p: NacosParams): Record<string, unknown> {
    const pageNo = p.int('pageNo');
    const pageSize = p.int('pageSize');
    if (pageNo < 1 || pageSize < 1) throw new NacosError(400, `Param 'pageNo' and 'pageSize' must be positive, got ${pageNo} and ${pageSize}`);
    const namespace = p.get('namespaceId') || 'public';
    const group = p.get('groupName') || 'DEFAULT_GROUP';
    const names = new Set([...Object.keys(this.#core.store.serviceNames()), ...this.#services.keys()]);
    const doms = [...names]
      .map(nacosNameOf)
      .filter((n) => n.namespace === namespace && n.group === group)
      .map(grouped)
      .sort();
    return { count: doms.length, doms: doms.slice((pageNo - 1) * pageSize, pageNo * pageSize) };
  }

  stop(): void {
    this.#unsubscribe();
    this.push.close();
  }

  #put(input: NacosInstanceInput): void {
    const cat = catalogNameOfNacos(input);
    const settings = this.#services.get(cat);
    if (settings?.persistent && input.ephemeral) {
      throw new NacosError(400, `Current service ${grouped(input)} is persistent service, can't register ephemeral instance.`);
    }
    const key = `${input.namespace}|${instanceIdOf(input)}`;
    const previous = this.#ids.get(key);
    const id = nacosServiceId(input);
    if (previous && this.#core.store.getService(previous) && (previous !== id || this.#side.get(previous)?.input.ephemeral !== input.ephemeral)) {
      this.#core.deregister(previous);
    }
    this.#ids.set(key, id);
    this.#side.set(id, { input, instanceId: instanceIdOf(input) });
    const check: CheckDefinition & { checkId: string } = input.ephemeral
      ? { checkId: `${id}:beat`, name: 'Nacos beat', notes: 'ephemeral: unhealthy after 15 s, deleted after 30 s without a beat', type: 'ttl', ttlMs: this.#timing(input.metadata, 'timeout'), intervalMs: 0, timeoutMs: 0, tlsSkipVerify: false, deregisterCriticalServiceAfterMs: 0, outputMaxSize: 4096 }
      : { checkId: `${id}:tcp`, name: 'Nacos TCP health check', notes: 'persistent: probed by the registry', type: 'tcp', tcp: `${input.ip}:${input.port}`, ttlMs: 0, intervalMs: 5000, timeoutMs: 3000, tlsSkipVerify: false, deregisterCriticalServiceAfterMs: 0, outputMaxSize: 4096 };
    try {
      this.#core.register(
        {
          service: {
            id,
            name: cat,
            tags: goMicroTags({ ...input.metadata, weight: String(input.weight) }),
            address: input.ip,
            port: input.port,
            meta: { ...input.metadata, weight: String(input.weight), [FACE_META_KEY]: NACOS_FACE },
            weights: { Passing: Math.max(1, Math.round(input.weight)), Warning: 1 },
            enableTagOverride: false,
          },
          checks: [check],
        },
        true,
      );
    } catch (e) {
      this.#side.delete(id);
      if (e instanceof ConsulHttpError) throw new NacosError(400, e.reason);
      throw e;
    }
    if (input.ephemeral) this.#core.setProbeResult(check.checkId, input.healthy && input.enabled ? 'passing' : 'critical', input.enabled ? 'nacos register' : 'nacos: disabled');
    this.#changed(cat);
  }

  #idOf(key: Pick<NacosInstanceInput, 'namespace' | 'group' | 'service' | 'ip' | 'port' | 'cluster'>): string {
    return this.#ids.get(`${key.namespace}|${instanceIdOf(key as NacosInstanceInput)}`) ?? nacosServiceId(key);
  }

  #serviceInfo(sub: Subscription, healthyOnly: boolean): Record<string, unknown> {
    let hosts = this.#hosts(sub.name, sub, sub.clusters);
    let reached = false;
    if (healthyOnly && hosts.length) {
      const healthy = hosts.filter((h) => h.healthy).length;
      const threshold = this.#services.get(sub.name)?.protectThreshold ?? this.#o.protectThreshold;
      if (healthy / hosts.length <= threshold) {
        reached = true;
        hosts = hosts.map((h) => ({ ...h, healthy: true }));
      } else hosts = hosts.filter((h) => h.healthy);
    }
    return {
      name: grouped(sub),
      groupName: sub.group,
      clusters: sub.clusters,
      cacheMillis: Math.max(100, Math.round(this.#wall(10_000))),
      hosts,
      lastRefTime: this.#core.now(),
      checksum: '',
      allIPs: false,
      reachProtectionThreshold: reached,
      valid: true,
    };
  }

  /** Enabled instances of a catalog service as Nacos hosts, optionally of some clusters (`a,b`). */
  #hosts(cat: string, name: NacosServiceName, clusters: string): Record<string, unknown>[] {
    const wanted = clusters.split(',').map((c) => c.trim()).filter(Boolean);
    const out: Record<string, unknown>[] = [];
    for (const s of this.#core.store.instancesOf(cat)) {
      const side = this.#side.get(s.id);
      if (side && !side.input.enabled) continue;
      const cluster = side?.input.cluster ?? DEFAULT_CLUSTER;
      if (wanted.length && !wanted.includes(cluster)) continue;
      out.push(this.#host(s, side, name, cluster));
    }
    return out;
  }

  #host(s: ServiceRecord, side: Side | undefined, name: NacosServiceName, cluster: string): Record<string, unknown> {
    const metadata: Record<string, string> = {};
    if (side) Object.assign(metadata, side.input.metadata);
    else for (const [k, v] of Object.entries(s.meta)) if (k !== FACE_META_KEY) metadata[k] = v;
    // The catalog's Meta weight is the instance's own (register copies it there) unless the operator set
    // another one (RegistryCore.setWeight), which then wins here as on every face.
    const catalogWeight = s.meta.weight === undefined || s.meta.weight === '' ? NaN : Number(s.meta.weight);
    const weight = catalogWeight >= 0 ? catalogWeight : (side?.input.weight ?? 1);
    return {
      instanceId: side?.instanceId ?? `${s.address}#${s.port}#${cluster}#${grouped(name)}`,
      ip: s.address,
      port: s.port,
      weight: Number.isFinite(weight) ? weight : 1,
      healthy: aggregate(this.#core.store.checksOf(s.id)) !== 'critical',
      enabled: true,
      ephemeral: side?.input.ephemeral ?? true,
      clusterName: cluster,
      serviceName: grouped(name),
      metadata,
      instanceHeartBeatInterval: this.#timing(metadata, 'interval'),
      instanceHeartBeatTimeOut: this.#timing(metadata, 'timeout'),
      ipDeleteTimeout: this.#timing(metadata, 'delete'),
    };
  }

  #timing(meta: Record<string, string> | undefined, which: keyof typeof PRESERVED): number {
    const dflt = { interval: 5000, timeout: 15_000, delete: 30_000 }[which];
    const v = meta?.[PRESERVED[which]];
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : dflt;
  }

  #threshold(p: NacosParams, dflt: number): number {
    const v = p.get('protectThreshold');
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new NacosError(400, `Param 'protectThreshold' must be between 0 and 1, got ${JSON.stringify(v)}`);
    return n;
  }

  #wall(modelMs: number): number {
    return Math.round(modelMs * this.#o.timeScale);
  }

  /** Coalesces a burst of catalog events into one push per service. */
  #changed(name: string): void {
    if (this.#pending.has(name)) return;
    this.#pending.add(name);
    setImmediate(() => {
      this.#pending.delete(name);
      this.push.changed(name);
    });
  }
}
