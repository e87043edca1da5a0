/**
 * Clock: the one source of time for everything that waits, leases or expires.
 *
 *   registry leases ─┐
 *   fault durations ─┼──> Clock.now() / Clock.setTimeout()  ──> SystemClock (real time)
 *   scenario steps  ─┘                                     └──> ManualClock (tests: advance(ms))
 *
 * Units are milliseconds. Timers never keep the process alive (SystemClock unrefs them).
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch (SystemClock) or since creation (ManualClock). */
  now(): number;
  /** Calls fn once after ms; the returned Timer cancels it. */
  setTimeout(fn: () => void, ms: number): Timer;
  /** Resolves after ms, rejects with signal.reason when the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
}

/** A clock that only moves when a test calls advance(). Timers fire in due order. */
export class ManualClock implements Clock {
  #now: number;
  #timers: { due: number; seq: number; fn: () => void }[] = [];
  #seq = 0;

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const timer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.push(timer);
    return {
      cancel: () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Moves time forward by ms, firing every timer that falls due (including ones scheduled meanwhile). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#timers
        .filter((t) => t.due <= target)
        .sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = next.due;
      next.fn();
    }
    this.#now = target;
  }

  /** Number of timers still pending (for tests that check nothing leaks). */
  get pending(): number {
    return this.#timers.length;
  }
}

function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A clock whose durations are scaled: ScaledClock(base, 0.01).setTimeout(fn, 90_000) fires after 900 ms
 * of base time, and now() advances 100x faster. Used for `registry.timeScale`.
 */
export class ScaledClock implements Clock {
  readonly #base: Clock;
  readonly #scale: number;
  readonly #origin: number;

  constructor(base: Clock, scale: number) {
    if (!(scale > 0)) throw new RangeError(`timeScale must be > 0, got ${scale}`);
    this.#base = base;
    this.#scale = scale;
    this.#origin = base.now();
  }

  now(): number {
    return this.#origin + (this.#base.now() - this.#origin) / this.#scale;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.#base.setTimeout(fn, ms * this.#scale);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.#base.sleep(ms * this.#scale, signal);
  }
}
