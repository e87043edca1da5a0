/**
 * An open-loop load generator: sends `rps` requests per second for `durationMs` over keep-alive
 * connections (undici Pool), whatever the latency of earlier requests, and records each latency.
 * Failed = non-200 or a transport error. Used for the half-load latency and the kill-under-load numbers.
 */
import { Pool } from 'undici';

export interface RateResult {
  sent: number;
  ok: number;
  failed: number;
  /** Failure samples: status or error text, at most 20. */
  failures: string[];
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface RateOptions {
  origin: string;
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  rps: number;
  durationMs: number;
  /** Called once at this offset (ms) into the run, e.g. to kill an instance. */
  at?: { ms: number; fn: () => void };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runAtRate(o: RateOptions): Promise<RateResult> {
  const pool = new Pool(o.origin, { connections: 128, keepAliveTimeout: 10_000, pipelining: 1 });
  const lat: number[] = [];
  const failures: string[] = [];
  let sent = 0;
  let ok = 0;
  let failed = 0;
  const inflight = new Set<Promise<void>>();
  const one = async (): Promise<void> => {
    const t0 = performance.now();
    try {
      const res = await pool.request({
        path: o.path,
        method: o.method ?? 'GET',
        headers: o.headers ?? {},
        body: o.body ?? null,
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      await res.body.text();
      lat.push(performance.now() - t0);
      if (res.statusCode === 200) ok++;
      else {
        failed++;
        if (failures.length < 20) failures.push(String(res.statusCode));
      }
    } catch (e) {
      failed++;
      if (failures.length < 20) failures.push((e as Error).message);
    }
  };
  const start = performance.now();
  let fired = false;
  while (performance.now() - start < o.durationMs) {
    const elapsed = performance.now() - start;
    if (o.at && !fired && elapsed >= o.at.ms) {
      fired = true;
      o.at.fn();
    }
    const due = Math.floor((elapsed / 1000) * o.rps);
    while (sent < due) {
      sent++;
      const p = one().finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(inflight);
  await pool.close();
  lat.sort((a, b) => a - b);
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return { sent, ok, failed, failures, p50: r2(percentile(lat, 50)), p90: r2(percentile(lat, 90)), p99: r2(percentile(lat, 99)), max: r2(lat[lat.length - 1] ?? NaN) };
}

/**
 * Closed-loop load (the fallback when wrk is not installed): `connections` loops, each sending the next
 * request when the previous answered, for durationMs. Returns requests/s and latency percentiles.
 */
export async function runClosedLoop(o: Omit<RateOptions, 'rps' | 'at'> & { connections: number }): Promise<{ rps: number; p50: number; p99: number }> {
  const pool = new Pool(o.origin, { connections: o.connections, keepAliveTimeout: 10_000 });
  const lat: number[] = [];
  const end = performance.now() + o.durationMs;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await pool.request({ path: o.path, method: o.method ?? 'GET', headers: o.headers ?? {}, body: o.body ?? null });
      await res.body.text();
      lat.push(performance.now() - t0);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: o.connections }, loop));
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  lat.sort((a, b) => a - b);
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return { rps: Math.round(lat.length / seconds), p50: r2(percentile(lat, 50)), p99: r2(percentile(lat, 99)) };
}
