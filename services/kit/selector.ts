/**
 * Client-side load balancing over a service's nodes, with passive outlier detection.
 *
 *   nodes ──> drop ejected (unless all are) ──> strategy ──> node
 *             random | round_robin (per service) | least_outstanding (fewest begin() without end())
 *
 * Weights: a node's metadata `weight` (Nacos's instance weight, or go-micro metadata; a number >= 0,
 * default 1) makes random pick it in proportion and round_robin run nginx's smooth weighted round robin;
 * least_outstanding breaks ties by weight. Weight 0 is never picked while any node weighs more.
 *
 * eject(node) marks a node (e.g. one that refused a connection) for ejectMs on the injected clock.
 * Synchronous and in-memory; nothing to clean up.
 */
import { SystemClock, type Clock } from './clock.ts';
import type { RegistryNode } from './types.ts';

export type Strategy = 'random' | 'round_robin' | 'least_outstanding';

export interface SelectorOptions {
  strategy: Strategy;
  /** How long an ejected node is skipped (default 10000 ms). */
  ejectMs?: number;
  clock?: Clock;
  /** Random source in [0,1), for deterministic tests. */
  random?: () => number;
}

/** A node's metadata `weight`: a finite number >= 0, else 1. */
export function weightOf(node: RegistryNode): number {
  const raw = node.metadata.weight;
  if (raw === undefined) return 1;
  const w = Number(raw);
  return Number.isFinite(w) && w >= 0 ? w : 1;
}

export class Selector {
  readonly strategy: Strategy;
  readonly #ejectMs: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #cursor = new Map<string, number>();
  readonly #outstanding = new Map<string, number>();
  readonly #ejectedUntil = new Map<string, number>();
  /** Smooth weighted round robin: current weight per service and node id. */
  readonly #current = new Map<string, Map<string, number>>();

  constructor(options: SelectorOptions) {
    this.strategy = options.strategy;
    this.#ejectMs = options.ejectMs ?? 10_000;
    this.#clock = options.clock ?? new SystemClock();
    this.#random = options.random ?? Math.random;
  }

  /** Picks a node for `service`, or undefined when `nodes` is empty. */
  select(service: string, nodes: readonly RegistryNode[]): RegistryNode | undefined {
    if (nodes.length === 0) return undefined;
    const healthy = this.anyEjected() ? nodes.filter((n) => !this.isEjected(n)) : nodes;
    let pool = healthy.length > 0 ? healthy : nodes;
    const weighted = pool.some((n) => n.metadata.weight !== undefined && weightOf(n) !== 1);
    if (weighted) {
      const positive = pool.filter((n) => weightOf(n) > 0);
      if (positive.length > 0) pool = positive;
      else return pool[Math.floor(this.#random() * pool.length)];
    }
    switch (this.strategy) {
      case 'round_robin': {
        if (weighted) return this.#smooth(service, pool);
        const i = this.#cursor.get(service) ?? 0;
        this.#cursor.set(service, (i + 1) % 1_000_000_007);
        return pool[i % pool.length];
      }
      case 'least_outstanding': {
        let best: RegistryNode[] = [];
        let min = Infinity;
        for (const n of pool) {
          const c = this.#outstanding.get(n.id) ?? 0;
          if (c < min) {
            min = c;
            best = [n];
          } else if (c === min) best.push(n);
        }
        return weighted ? this.#weightedRandom(best) : best[Math.floor(this.#random() * best.length)];
      }
      default:
        return weighted ? this.#weightedRandom(pool) : pool[Math.floor(this.#random() * pool.length)];
    }
  }

  #weightedRandom(pool: readonly RegistryNode[]): RegistryNode {
    const total = pool.reduce((s, n) => s + weightOf(n), 0);
    let r = this.#random() * total;
    for (const n of pool) {
      r -= weightOf(n);
      if (r < 0) return n;
    }
    return pool[pool.length - 1]!;
  }

  /** nginx's smooth weighted round robin: add each weight, pick the largest, subtract the total from it. */
  #smooth(service: string, pool: readonly RegistryNode[]): RegistryNode {
    let current = this.#current.get(service);
    if (!current) this.#current.set(service, (current = new Map()));
    const ids = new Set(pool.map((n) => n.id));
    for (const id of current.keys()) if (!ids.has(id)) current.delete(id);
    let best = pool[0]!;
    let bestWeight = -Infinity;
    let total = 0;
    for (const n of pool) {
      const w = weightOf(n);
      total += w;
      const c = (current.get(n.id) ?? 0) + w;
      current.set(n.id, c);
      if (c > bestWeight) {
        bestWeight = c;
        best = n;
      }
    }
    current.set(best.id, bestWeight - total);
    return best;
  }

  /** A call to node started (least_outstanding bookkeeping; harmless for the other strategies). */
  begin(node: RegistryNode): void {
    this.#outstanding.set(node.id, (this.#outstanding.get(node.id) ?? 0) + 1);
  }

  /** A call to node ended, however it ended. */
  end(node: RegistryNode): void {
    const c = (this.#outstanding.get(node.id) ?? 0) - 1;
    if (c > 0) this.#outstanding.set(node.id, c);
    else this.#outstanding.delete(node.id);
  }

  outstanding(node: RegistryNode): number {
    return this.#outstanding.get(node.id) ?? 0;
  }

  /** Skip node for ejectMs from now (passive outlier detection). */
  eject(node: RegistryNode): void {
    this.#ejectedUntil.set(node.id, this.#clock.now() + this.#ejectMs);
  }

  /** False when no node is ejected (then nothing needs filtering, whatever the number of nodes). */
  anyEjected(): boolean {
    return this.#ejectedUntil.size > 0;
  }

  isEjected(node: RegistryNode): boolean {
    const until = this.#ejectedUntil.get(node.id);
    if (until === undefined) return false;
    if (this.#clock.now() >= until) {
      this.#ejectedUntil.delete(node.id);
      return false;
    }
    return true;
  }
}
