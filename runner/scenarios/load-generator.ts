/**
 * LoadGenerator: steady request traffic against one 127.0.0.1 URL for the whole scenario, so availability
 * and latency have something to measure. Open loop (sends on schedule, not when the last answer came) with
 * a cap on requests in flight; keep-alive connections through one undici Pool.
 *
 *   tick (every 10 ms): due = rate x elapsed - sent  --> send while in flight < concurrency
 *                       (over the cap: counted as `skipped`, not as failures: the generator's limit, not the system's)
 *
 * Bounded: stops at stop(), and by itself after `maxMs` (default 120 s) or `maxRequests` sent (default
 * 100 000), whichever comes first. The caller owns it: stop()
 * resolves once every request in flight has settled and the pool is closed.
 */
import { Pool } from 'undici';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import type { RequestRecord } from './timeline.ts';

export interface LoadTarget {
  name: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Requests per second. */
  rate: number;
  concurrency: number;
  timeoutMs: number;
  /** A 200 that this rejects (e.g. a Micro-Error header) counts as failed. */
  accept?: (status: number, headers: Record<string, string | string[] | undefined>) => boolean;
}

export class LoadGenerator {
  readonly target: LoadTarget;
  readonly records: RequestRecord[] = [];
  skipped = 0;
  readonly #pool: Pool;
  readonly #t0: number;
  readonly #maxMs: number;
  readonly #maxRequests: number;
  #timer?: NodeJS.Timeout;
  #inFlight = new Set<Promise<void>>();
  #sent = 0;
  #stopped = false;

  /** Starts sending at once; `t0` is the timeline origin (ms, performance.now() based). */
  constructor(target: LoadTarget, options: { t0: number; maxMs?: number; maxRequests?: number }) {
    const url = new URL(target.origin);
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
      throw new MicroDevError('BAD_ARGUMENTS', `load ${target.name}: ${target.origin} is not on 127.0.0.1 (load only goes to this machine)`);
    }
    this.target = target;
    this.#t0 = options.t0;
    this.#maxMs = options.maxMs ?? 120_000;
    this.#maxRequests = options.maxRequests ?? 100_000;
    this.#pool = new Pool(target.origin, { connections: target.concurrency, keepAliveTimeout: 10_000, pipelining: 1 });
    const started = performance.now();
    this.#timer = setInterval(() => this.#tick(started), 10);
  }

  #tick(started: number): void {
    const elapsed = performance.now() - started;
    if (elapsed > this.#maxMs || this.#sent >= this.#maxRequests) {
      void this.stop();
      return;
    }
    const due = Math.min(Math.floor((elapsed / 1000) * this.target.rate), this.#maxRequests) - this.#sent;
    for (let i = 0; i < due; i++) {
      this.#sent++;
      if (this.#inFlight.size >= this.target.concurrency) {
        this.skipped++;
        continue;
      }
      const p = this.#send().finally(() => this.#inFlight.delete(p));
      this.#inFlight.add(p);
    }
  }

  async #send(): Promise<void> {
    const t = this.target;
    const start = performance.now();
    const at = start - this.#t0;
    try {
      const res = await this.#pool.request({
        path: t.path,
        method: t.method ?? 'GET',
        headers: t.headers,
        body: t.body,
        headersTimeout: t.timeoutMs,
        bodyTimeout: t.timeoutMs,
        signal: AbortSignal.timeout(t.timeoutMs),
      });
      const body = await res.body.text();
      const ok = res.statusCode === 200 && (t.accept?.(res.statusCode, res.headers) ?? true);
      const why = ok ? undefined : (header(res.headers['micro-error']) ?? reasonOf(res.statusCode, body));
      this.records.push({ load: t.name, at, ms: performance.now() - start, ok, status: res.statusCode, ...(why ? { error: why } : {}) });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const message = typeof code === 'string' ? code : error instanceof Error ? error.name : String(error);
      this.records.push({ load: t.name, at, ms: performance.now() - start, ok: false, status: 0, error: message });
    }
  }

  /** Stops sending, waits for requests in flight, closes the connections. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    await Promise.allSettled([...this.#inFlight]);
    await this.#pool.close().catch(() => undefined);
  }
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** A short failure reason: a JSON / text answer's start, or just the status for HTML error pages. */
function reasonOf(status: number, body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  return text === '' || text.startsWith('<') ? `HTTP ${status}` : `HTTP ${status} ${text.slice(0, 160)}`;
}
