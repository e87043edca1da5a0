/**
 * EtcdObserver: what a scenario records of a registry of kind etcd, beside its usual samples:
 *
 *   every 100 ms   registered node ids (the cluster's committed view: which instances are "passing"),
 *                  each member's own list (serializable: stale on a cut-off member) and role + term
 *   every 200 ms   a probe write through each member's client link (RegistryProbe)
 *
 * Samples (25 ms) take the last answers, so they never wait for etcd.
 */
import type { EtcdCluster } from '../registry/etcd/etcd-cluster.ts';
import { RegistryProbe } from './registry-probe.ts';
import type { RegistrySample, RegistryWrite } from './timeline.ts';

const POLL_MS = 100;

export class EtcdObserver {
  readonly #etcd: EtcdCluster;
  readonly #probe: RegistryProbe;
  readonly #timer: NodeJS.Timeout;
  #ids = new Set<string>();
  #views: Record<string, string[]> = {};
  #roles: NonNullable<RegistrySample['roles']> = {};
  #polling = false;
  #closed = false;

  private constructor(etcd: EtcdCluster, now: () => number) {
    this.#etcd = etcd;
    this.#probe = new RegistryProbe(etcd.names.map((name) => ({ name, address: etcd.clientAddress(name) })), now);
    this.#timer = setInterval(() => void this.#poll(), POLL_MS);
  }

  /** Starts once a first answer is in (the first samples are not empty). */
  static async start(etcd: EtcdCluster, now: () => number): Promise<EtcdObserver> {
    const observer = new EtcdObserver(etcd, now);
    await observer.#poll();
    return observer;
  }

  /** What a sample records of etcd: registered ids as passing leases, member views, roles. */
  sample(): Pick<RegistrySample, 'members' | 'roles'> & { passing: string[] } {
    return { passing: [...this.#ids], members: structuredClone(this.#views), roles: structuredClone(this.#roles) };
  }

  /** Stops polling and probing (idempotent); returns the probe writes. */
  close(): RegistryWrite[] {
    clearInterval(this.#timer);
    if (!this.#closed) this.#probe.close();
    this.#closed = true;
    return this.#probe.records.sort((a, b) => a.at - b.at);
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const [nodes, views, status] = await Promise.all([
        this.#etcd.registeredNodes().catch(() => undefined),
        this.#etcd.memberViews(),
        this.#etcd.status(),
      ]);
      // Without quorum nothing can be read linearizably: the last committed view stands.
      if (nodes) this.#ids = new Set(nodes.map((n) => n.id));
      this.#views = views;
      this.#roles = Object.fromEntries(status.map((s) => [s.name, { role: s.role, ...(s.term !== undefined && Number.isFinite(s.term) ? { term: s.term } : {}) }]));
    } finally {
      this.#polling = false;
    }
  }
}
