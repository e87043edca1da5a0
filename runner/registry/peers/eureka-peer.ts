/**
 * EurekaPeer: one member of an Eureka peer set (PeerAwareInstanceRegistryImpl's replication half).
 *
 *   a client's write on this member (RegistryCore.onWrite: register / renew / cancel / status)
 *       --> one ReplicationItem --> every PeerNode (batched, best effort, retried)
 *   a peer's batch (POST /peerreplication/batch/) --> applied here as a replication:
 *       never replicated again, answered item by item (200 / 404 / 400 / 500)
 *
 * Evictions are not replicated: every member expires leases on its own lease model and keeps its own
 * self-preservation, so during a split each side decides alone (Eureka's AP bet).
 */
import { ConsulHttpError } from '../consul-http-error.ts';
import type { EurekaFace, FaceReply } from '../eureka/eureka-face.ts';
import { EUREKA_FACE } from '../eureka/eureka-face.ts';
import { EurekaBadRequest } from '../eureka/eureka-instance.ts';
import type { CoreWrite, RegistryCore } from '../registry-core.ts';
import { FACE_META_KEY, type ServiceDefinition } from '../registry-types.ts';
import type { PeerNode } from './peer-node.ts';
import type { ReplicationItem, ReplicationListResponse } from './replication-protocol.ts';

export class EurekaPeer {
  readonly name: string;
  readonly #core: RegistryCore;
  readonly #face: EurekaFace;
  readonly #nodes: PeerNode[] = [];
  /** Last registration of each catalog (non-Eureka-face) instance, for a Register after a peer's 404. */
  readonly #defs = new Map<string, ServiceDefinition>();
  readonly #unsubscribe: () => void;
  #applying = false;
  /** Items applied from peers (by action). */
  readonly received = { Register: 0, Heartbeat: 0, Cancel: 0, StatusUpdate: 0, DeleteStatusOverride: 0 };

  constructor(name: string, core: RegistryCore, face: EurekaFace) {
    this.name = name;
    this.#core = core;
    this.#face = face;
    face.peerBatch = (body) => this.receive(body);
    this.#unsubscribe = core.onWrite((w) => {
      if (!this.#applying) this.#replicate(w);
    });
    core.subscribe((e) => {
      if (e.type === 'deregistered') this.#defs.delete(e.serviceId);
    });
  }

  addNode(node: PeerNode): void {
    this.#nodes.push(node);
  }

  get nodes(): readonly PeerNode[] {
    return this.#nodes;
  }

  stop(): void {
    this.#unsubscribe();
    this.#face.peerBatch = undefined;
    for (const n of this.#nodes) n.stop();
  }

  /** PeerReplicationResource.batchReplication: every item applied in order, one response each. */
  receive(body: string): FaceReply {
    let list: ReplicationItem[];
    try {
      const parsed = JSON.parse(body) as { replicationList?: unknown };
      if (!Array.isArray(parsed.replicationList)) throw new Error('expected {"replicationList":[...]}');
      list = parsed.replicationList as ReplicationItem[];
    } catch (e) {
      return { status: 400, text: `Malformed replication batch: ${(e as Error).message}` };
    }
    const out: ReplicationListResponse = { responseList: [] };
    this.#applying = true;
    try {
      for (const item of list) out.responseList.push({ statusCode: this.#apply(item) });
    } finally {
      this.#applying = false;
    }
    return { status: 200, body: out as unknown as Record<string, unknown> };
  }

  #apply(item: ReplicationItem): number {
    if (item.action in this.received) this.received[item.action]++;
    try {
      return item.microDevCatalog ? this.#applyCatalog(item) : this.#applyEureka(item);
    } catch (e) {
      if (e instanceof ConsulHttpError) return e.statusCode;
      if (e instanceof EurekaBadRequest) return 400;
      return 500;
    }
  }

  #applyEureka(item: ReplicationItem): number {
    const q = new URLSearchParams();
    if (item.status) q.set('status', item.status);
    if (item.lastDirtyTimestamp !== undefined) q.set('lastDirtyTimestamp', String(item.lastDirtyTimestamp));
    switch (item.action) {
      case 'Register':
        if (!item.instanceInfo) return 400;
        return okay(this.#face.register(item.appName, JSON.stringify({ instance: item.instanceInfo })));
      case 'Heartbeat':
        return this.#face.renew(item.appName, item.id, q).status;
      case 'Cancel':
        return this.#face.cancel(item.appName, item.id).status;
      case 'StatusUpdate':
        return this.#face.setStatus(item.appName, item.id, item.overriddenStatus ?? item.status ?? null, false).status;
      case 'DeleteStatusOverride':
        return this.#face.setStatus(item.appName, item.id, item.status ?? null, true).status;
      default:
        return 400;
    }
  }

  #applyCatalog(item: ReplicationItem): number {
    const c = item.microDevCatalog!;
    switch (item.action) {
      case 'Register':
        if (!c.def) return 400;
        this.#core.register(c.def, true);
        this.#defs.set(c.def.service.id, c.def);
        return 200;
      case 'Heartbeat':
        if (!c.checkId || !this.#core.store.getService(item.id)) return 404;
        this.#core.updateTtl(c.checkId, c.checkStatus ?? 'passing', c.output ?? '');
        return 200;
      case 'Cancel':
        if (!this.#core.store.getService(item.id)) return 404;
        this.#core.deregister(item.id);
        return 200;
      default:
        return 400;
    }
  }

  #replicate(w: CoreWrite): void {
    const item = this.#itemOf(w);
    if (item) for (const n of this.#nodes) n.submit(item);
  }

  /** PeerEurekaNode.heartbeat's failure handler: a peer that does not know the instance gets a Register. */
  onPeerFailure(node: PeerNode, item: ReplicationItem, status: number): void {
    if (item.action !== 'Heartbeat' || status !== 404) return;
    const serviceId = item.microDevCatalog ? item.id : `eureka:${item.appName}:${item.id}`;
    const register = this.#registerItem(serviceId);
    if (register) node.submit(register);
  }

  #itemOf(w: CoreWrite): ReplicationItem | undefined {
    const serviceId = w.op === 'register' ? w.def.service.id : w.serviceId;
    if (w.op === 'register' && w.def.service.meta[FACE_META_KEY] !== EUREKA_FACE) this.#defs.set(serviceId, w.def);
    const replica = this.#face.replicaOf(serviceId);
    if (replica) {
      const base = { appName: replica.app, id: replica.id, lastDirtyTimestamp: replica.lastDirtyTimestamp, status: replica.status, overriddenStatus: replica.overriddenStatus };
      if (w.op === 'register') return { ...base, action: 'Register', instanceInfo: replica.instanceInfo };
      if (w.op === 'renew') return { ...base, action: 'Heartbeat' };
      if (w.op === 'status') return { ...base, action: replica.overriddenStatus === 'UNKNOWN' ? 'DeleteStatusOverride' : 'StatusUpdate' };
    }
    if (w.op === 'cancel') {
      // The face's side is gone by now; its catalog id says which kind of instance it was.
      const m = /^eureka:([^:]+):(.+)$/.exec(serviceId);
      if (m) return { appName: m[1], id: m[2], action: 'Cancel' };
      return { appName: serviceId, id: serviceId, action: 'Cancel', microDevCatalog: {} };
    }
    if (replica) return undefined;
    const def = this.#defs.get(serviceId);
    if (!def || def.service.meta[FACE_META_KEY] === EUREKA_FACE) return undefined;
    const base = { appName: def.service.name, id: serviceId };
    if (w.op === 'register') return { ...base, action: 'Register', microDevCatalog: { def } };
    if (w.op === 'renew') return { ...base, action: 'Heartbeat', microDevCatalog: { checkId: w.checkId, checkStatus: w.status, output: w.output } };
    return undefined;
  }

  #registerItem(serviceId: string): ReplicationItem | undefined {
    const replica = this.#face.replicaOf(serviceId);
    if (replica) {
      return {
        appName: replica.app,
        id: replica.id,
        action: 'Register',
        lastDirtyTimestamp: replica.lastDirtyTimestamp,
        status: replica.status,
        overriddenStatus: replica.overriddenStatus,
        instanceInfo: replica.instanceInfo,
      };
    }
    const def = this.#defs.get(serviceId);
    return def && this.#core.store.getService(serviceId) ? { appName: def.service.name, id: serviceId, action: 'Register', microDevCatalog: { def } } : undefined;
  }
}

function okay(reply: FaceReply): number {
  return reply.status === 204 ? 200 : reply.status;
}
