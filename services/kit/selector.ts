/**
 * Client-side load balancing over a service's nodes, with passive outlier detection.
 *
 *   nodes ──> drop ejected (unless all are) ──> strategy ──> node
 *             random | round_robin (per service) | least_outstanding (fewest begin() without end())
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

export class Selector {
  readonly strategy: Strategy;
  readonly #ejectMs: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #cursor = new Map<string, number>();
  readonly #outstanding = new Map<string, number>();
  readonly #ejectedUntil = new Map<string, number>();

  constructor(options: SelectorOptions) {
    this.strategy = options.strategy;
    this.#ejectMs = options.ejectMs ?? 10_000;
    this.#clock = options.clock ?? new SystemClock();
    this.#random = options.random ?? Math.random;
  }

  /** Picks a node for `service`, or undefined when `nodes` is empty. */
  select(service: string, nodes: readonly RegistryNode[]): RegistryNode | undefined {
    if (nodes.length === 0) return undefined;
    const healthy = nodes.filter((n) => !this.isEjected(n));
    const pool = healthy.length > 0 ? healthy : nodes;
    switch (this.strategy) {
      case 'round_robin': {
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
        return best[Math.floor(this.#random() * best.length)];
      }
      default:
        return pool[Math.floor(this.#random() * pool.length)];
    }
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
