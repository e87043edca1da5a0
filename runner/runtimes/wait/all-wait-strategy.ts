/**
 * AllWaitStrategy: ready when every child strategy is; they run in parallel, each with its own deadline,
 * and the first failure aborts the others. withDeadline() here bounds the whole (default: no extra bound
 * beyond the children's). Results merge left to right (the first address and registryId found win).
 */
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { AbstractWaitStrategy } from './abstract-wait-strategy.ts';
import type { WaitResult, WaitStrategy, WaitTarget } from './wait-strategy.ts';

export class AllWaitStrategy extends AbstractWaitStrategy {
  readonly #strategies: WaitStrategy[];
  #pending = new Set<WaitStrategy>();

  constructor(strategies: WaitStrategy[]) {
    super();
    this.#strategies = strategies;
    this.deadlineMs = 2 ** 31 - 1; // setTimeout's ceiling: effectively none
  }

  describe(): string {
    return `all of [${this.#strategies.map((s) => s.describe()).join('; ')}]`;
  }

  protected timeoutMessage(target: WaitTarget): string {
    const pending = [...this.#pending].map((s) => s.describe()).join('; ');
    return `${target.instance.instance} not ready after ${this.deadlineMs}ms${pending ? `: still waiting for ${pending}` : ''}`;
  }

  protected async run(target: WaitTarget, signal: AbortSignal): Promise<WaitResult> {
    if (this.#strategies.length === 0) return {};
    this.#pending = new Set(this.#strategies);
    const results = await Promise.all(
      this.#strategies.map((strategy) =>
        strategy.wait(target, { signal }).then((result) => {
          this.#pending.delete(strategy);
          return result;
        }),
      ),
    ).catch((error: unknown) => {
      // Promise.all settles on the first failure; the others stop when `signal` aborts in wait()'s finally.
      throw error instanceof MicroDevError || signal.aborted ? error : new MicroDevError('NOT_READY', String(error), { cause: error });
    });
    return results.reduce<WaitResult>(
      (merged, r) => ({ address: merged.address ?? r.address, registryId: merged.registryId ?? r.registryId }),
      {},
    );
  }
}
