/**
 * TrafficMeter: the engine's traffic numbers.
 *
 *   gateway request ──> count ──tick() each second──> gateway req/s series (last 60 s)
 *   <instance>/inbound link ──exchange(ms, failed)──> that instance's TrafficWindow (last 10 s)
 *                                                      └─ summed per service
 *
 * Counting costs a counter bump and a histogram record per request; the windows are read once a second.
 */
import type { Clock } from '../clock/clock.ts';
import type { ExchangeObserver } from '../faults/http-exchange-meter.ts';
import type { TrafficStats } from './api.ts';
import { TrafficWindow } from './traffic-window.ts';

export class TrafficMeter {
  readonly #clock: Clock;
  #series: number[] = [];
  #count = 0;
  readonly #instances = new Map<string, { service: string; window: TrafficWindow; total: { requests: number; errors: number } }>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** One request answered by the gateway (the req/s sparkline). */
  gatewayRequest(): void {
    this.#count++;
  }

  /**
   * Closes the current one-second bucket and returns the series (oldest first, at most 60). The engine calls
   * it from its one-second tick, together with the registry poll, so a dashboard redraws once per second.
   */
  tick(): number[] {
    this.#series = [...this.#series, this.#count].slice(-60);
    this.#count = 0;
    return this.#series;
  }

  /** What an instance's inbound link reports to (one window per instance, kept across its restarts). */
  observer(instance: string, service: string): ExchangeObserver {
    let entry = this.#instances.get(instance);
    if (!entry) {
      entry = { service, window: new TrafficWindow(), total: { requests: 0, errors: 0 } };
      this.#instances.set(instance, entry);
    }
    const { window, total } = entry;
    const clock = this.#clock;
    return {
      exchange: (ms, failed) => {
        window.record(clock.now(), ms, failed);
        total.requests++;
        if (failed) total.errors++;
      },
    };
  }

  /** Every request (and failed one) an instance's inbound link counted since the start; a copy. */
  served(name: string): { requests: number; errors: number } | undefined {
    const total = this.#instances.get(name)?.total;
    return total && { ...total };
  }

  /** One instance over the window ending now; undefined when it served nothing in it. */
  instance(name: string): TrafficStats | undefined {
    return this.#instances.get(name)?.window.stats(this.#clock.now());
  }

  /** Every service that served something in the window, by topology service name. */
  services(): Record<string, TrafficStats> {
    const byService = new Map<string, TrafficWindow[]>();
    for (const { service, window } of this.#instances.values()) {
      const list = byService.get(service) ?? [];
      list.push(window);
      byService.set(service, list);
    }
    const now = this.#clock.now();
    const out: Record<string, TrafficStats> = {};
    for (const [service, windows] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
      const stats = TrafficWindow.combine(windows, now);
      if (stats) out[service] = stats;
    }
    return out;
  }
}
