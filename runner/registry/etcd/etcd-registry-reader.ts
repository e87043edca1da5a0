/**
 * EtcdRegistryReader: what go-micro services registered in an etcd cluster (`/micro/registry/<service>/<id>`,
 * one JSON service with one node per key), read linearizably so a member cut off from its quorum cannot
 * answer with a stale copy. The engine's `registered` readiness lists through it, for the cluster micro-dev
 * starts (EtcdCluster) and for one it does not (`registry: {kind: etcd, address: ...}`).
 */
import { Etcd3 } from 'etcd3';

/** A node registered under /micro/registry/ (go-micro's layout). */
export interface RegisteredNode {
  service: string;
  id: string;
  address: string;
}

export const REGISTRY_PREFIX = '/micro/registry/';

export class EtcdRegistryReader {
  readonly #client: Etcd3;
  #listing: { at: number; nodes: Promise<RegisteredNode[]> } | undefined;

  /** `endpoints`: host:port of the members' client URLs. */
  constructor(endpoints: string[]) {
    this.#client = new Etcd3({
      hosts: endpoints.map((e) => `http://${e}`),
      dialTimeout: 1000,
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 700 }),
    });
  }

  /** Every registered node; waiters share one read per 100 ms; rejects when no member answers within 2.5 s. */
  registeredNodes(): Promise<RegisteredNode[]> {
    const now = Date.now();
    if (!this.#listing || now - this.#listing.at > 100) {
      const nodes = withTimeout(this.#client.getAll().prefix(REGISTRY_PREFIX).strings(), 2500).then((all) => Object.values(all).flatMap(registeredIn));
      nodes.catch(() => undefined);
      this.#listing = { at: now, nodes };
    }
    return this.#listing.nodes;
  }

  close(): void {
    this.#client.close();
  }
}

/** The nodes of one registry value (go-micro's service JSON); nothing for a value that is not one. */
export function registeredIn(text: string): RegisteredNode[] {
  try {
    const s = JSON.parse(text) as { name?: string; nodes?: { id?: string; address?: string }[] | null };
    return (s.nodes ?? []).map((n) => ({ service: s.name ?? '', id: n.id ?? '', address: n.address ?? '' }));
  } catch {
    return [];
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e)),
    );
  });
}
