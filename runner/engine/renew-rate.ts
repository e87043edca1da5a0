/**
 * RenewRate: heartbeats per minute (wall clock) from the registry's running count of TTL updates, sampled
 * once a second over the last 60 s. Undefined until two samples at least a second apart exist.
 */
export class RenewRate {
  readonly #samples: { at: number; total: number }[] = [];
  readonly #spanMs: number;

  constructor(spanMs = 60_000) {
    this.#spanMs = spanMs;
  }

  /** Adds a sample (`total` never decreases while the registry runs) and returns the rate per minute. */
  sample(at: number, total: number): number | undefined {
    const samples = this.#samples;
    samples.push({ at, total });
    while (samples.length > 2 && at - samples[1]!.at >= this.#spanMs) samples.shift();
    const first = samples[0]!;
    const elapsed = at - first.at;
    if (elapsed < 1000) return undefined;
    return Math.round(((total - first.total) * 60_000) / elapsed);
  }
}
