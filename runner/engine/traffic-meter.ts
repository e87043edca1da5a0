import type { Clock } from '../clock/clock.ts';

/**
 * TrafficMeter: counts gateway requests into one-second buckets and keeps the last 60 (requests/second),
 * plus per-service error rate and p99 over the last bucket window.
 */
export interface RequestSample {
  at: number;
  status: number;
  ms: number;
  /** Registry service name (`go.micro.srv.greeter`). */
  service?: string;
  /** Counted as an error even with a 2xx status (mucp errors travel in a header). */
  error?: boolean;
  /** Whether the sample belongs to the gateway's requests/second series (proxy calls do not). */
  gateway?: boolean;
}

export class TrafficMeter {
  readonly #clock: Clock;
  #series: number[] = [];
  #count = 0;
  #window: RequestSample[] = [];

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Closes the current one-second bucket and returns the series (oldest first, at most 60). The engine calls
   * it from its one-second tick, together with the registry poll, so a dashboard redraws once per second.
   */
  tick(): number[] {
    this.#series = [...this.#series, this.#count].slice(-60);
    this.#count = 0;
    const cutoff = this.#clock.now() - 5_000;
    this.#window = this.#window.filter((s) => s.at >= cutoff);
    return this.#series;
  }

  record(sample: RequestSample): void {
    if (sample.gateway !== false) this.#count++;
    this.#window.push(sample);
    if (this.#window.length > 50_000) this.#window = this.#window.slice(-25_000);
  }

  /** rps, errorRate (0..1) and p99 (ms) of one registry service over the last 5 s (gateway + proxy calls). */
  stats(service: string): { rps: number; errorRate: number; p99: number } | undefined {
    const samples = this.#window.filter((s) => s.service === service);
    if (samples.length === 0) return undefined;
    const errors = samples.filter((s) => s.error || s.status >= 500).length;
    const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
    const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
    return { rps: samples.length / 5, errorRate: errors / samples.length, p99 };
  }
}
