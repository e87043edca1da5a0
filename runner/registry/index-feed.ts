import type { Clock, Timer } from '../clock/clock.ts';

/**
 * IndexFeed: a monotonically increasing Consul index (starts at 1, never 0) plus the blocking-query waiters
 * parked on it. `waitBeyond(n)` resolves once the index exceeds n, or when the wait elapses, or when the
 * feed closes; it never rejects. Waits run on the clock given (the *unscaled* base clock: a client's
 * `wait=30s` is 30 real seconds whatever the registry's timeScale).
 */
export class IndexFeed {
  #index: number;
  #waiters = new Set<{ min: number; done: () => void }>();
  #closed = false;
  readonly #listeners = new Set<(index: number) => void>();

  constructor(start = 1) {
    this.#index = Math.max(1, start);
  }

  get index(): number {
    return this.#index;
  }

  /** Advances the index by one and wakes every waiter it now satisfies. Returns the new index. */
  bump(): number {
    this.#index += 1;
    this.#wake();
    return this.#index;
  }

  /** Moves the index to `index` if higher (a cached view catching up). */
  advanceTo(index: number): void {
    if (index <= this.#index) return;
    this.#index = index;
    this.#wake();
  }

  /** Called after every index move (persistence); returns the unsubscribe function. */
  onAdvance(fn: (index: number) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  waitBeyond(min: number, ms: number, clock: Clock, signal?: AbortSignal): Promise<void> {
    if (this.#index > min || this.#closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timers: Timer[] = [];
      const waiter = {
        min,
        done: () => {
          this.#waiters.delete(waiter);
          for (const t of timers) t.cancel();
          signal?.removeEventListener('abort', waiter.done);
          resolve();
        },
      };
      this.#waiters.add(waiter);
      timers.push(clock.setTimeout(waiter.done, ms));
      signal?.addEventListener('abort', waiter.done, { once: true });
    });
  }

  /** Releases every waiter (server stopping). */
  close(): void {
    this.#closed = true;
    for (const w of [...this.#waiters]) w.done();
  }

  get closed(): boolean {
    return this.#closed;
  }

  get waiting(): number {
    return this.#waiters.size;
  }

  #wake(): void {
    for (const l of this.#listeners) l(this.#index);
    for (const w of [...this.#waiters]) if (this.#index > w.min) w.done();
  }
}
