/**
 * TrafficWindow: requests, failed requests and a latency histogram over a sliding window of one-second
 * slots (10 by default). A slot is reused when its second comes round again, so the numbers fall to
 * nothing on their own once traffic stops: a window with no request in its last 10 s reads as empty.
 *
 *   record(at, ms, failed) ──> slot = second(at) % slots  (reset first if it held an older second)
 *                                 requests++  errors++  histogram[bucket(ms)]++
 *   stats(now) ──> sum of the slots whose second is within (now - window, now]
 *
 * record() allocates nothing: typed arrays sized once per window. Latency buckets grow by 10 % from
 * 0.01 ms to about 2 min, so a percentile is the upper bound of its bucket (at most 10 % above the truth).
 */
import type { TrafficStats } from './api.ts';

const SLOT_MS = 1000;
const MIN_MS = 0.01;
const GROWTH = 1.1;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 172;

/** Upper bound (ms) of a latency bucket. */
function bucketBound(bucket: number): number {
  return MIN_MS * GROWTH ** bucket;
}

function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const b = Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH);
  return b >= BUCKETS ? BUCKETS - 1 : b;
}

export class TrafficWindow {
  readonly slots: number;
  readonly #seconds: Float64Array;
  readonly #requests: Uint32Array;
  readonly #errors: Uint32Array;
  readonly #histogram: Uint32Array;

  constructor(slots = 10) {
    this.slots = slots;
    this.#seconds = new Float64Array(slots).fill(-1);
    this.#requests = new Uint32Array(slots);
    this.#errors = new Uint32Array(slots);
    this.#histogram = new Uint32Array(slots * BUCKETS);
  }

  /** One finished request (or failed call) at wall time `at` that took `ms`. */
  record(at: number, ms: number, failed: boolean): void {
    const second = Math.floor(at / SLOT_MS);
    const slot = second % this.slots;
    if (this.#seconds[slot] !== second) {
      if (this.#seconds[slot]! > second) return; // older than the window: already forgotten
      this.#seconds[slot] = second;
      this.#requests[slot] = 0;
      this.#errors[slot] = 0;
      this.#histogram.fill(0, slot * BUCKETS, (slot + 1) * BUCKETS);
    }
    this.#requests[slot]!++;
    if (failed) this.#errors[slot]!++;
    this.#histogram[slot * BUCKETS + bucketOf(ms)]!++;
  }

  /** Numbers over the window ending at `now`; undefined when it saw no request. */
  stats(now: number): TrafficStats | undefined {
    return TrafficWindow.combine([this], now);
  }

  /** The windows taken together (a service = its instances), over the window ending at `now`. */
  static combine(windows: readonly TrafficWindow[], now: number): TrafficStats | undefined {
    let requests = 0;
    let errors = 0;
    let seconds = 0;
    const histogram = new Float64Array(BUCKETS);
    const current = Math.floor(now / SLOT_MS);
    for (const w of windows) {
      seconds = Math.max(seconds, w.slots);
      for (let slot = 0; slot < w.slots; slot++) {
        const second = w.#seconds[slot]!;
        if (second < 0 || second > current || current - second >= w.slots) continue;
        requests += w.#requests[slot]!;
        errors += w.#errors[slot]!;
        for (let b = 0; b < BUCKETS; b++) histogram[b]! += w.#histogram[slot * BUCKETS + b]!;
      }
    }
    if (requests === 0) return undefined;
    const percentile = (p: number): number => {
      const rank = Math.ceil(requests * p);
      let seen = 0;
      for (let b = 0; b < BUCKETS; b++) {
        seen += histogram[b]!;
        if (seen >= rank) return round(bucketBound(b));
      }
      return round(bucketBound(BUCKETS - 1));
    };
    return {
      requests,
      errors,
      rps: requests / seconds,
      errorRate: errors / requests,
      p50: percentile(0.5),
      p99: percentile(0.99),
      windowMs: seconds * SLOT_MS,
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
