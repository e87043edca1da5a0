/**
 * A bounded, paced request loop against one URL (for "no request fails across reloads"): ratePerSecond
 * requests a second on schedule, without waiting for earlier ones, until stop() or maxRequests. Every
 * outcome is kept.
 */
export interface LoadResult {
  sent: number;
  /** `sentAtMs`: when the request was sent, ms after the load started (to line a failure up with a reload). */
  failures: { status?: number; error?: string; body?: string; sentAtMs: number }[];
  /** performance.now() when the load started. */
  startedAt: number;
  /** Answer bodies in completion order (200s only). */
  bodies: string[];
}

export interface SteadyLoad {
  /** Stops sending; resolves when every request in flight has finished. */
  stop(): Promise<LoadResult>;
  /** Resolves once `count` more requests have been sent than when it was called (a deadline bounds it). */
  sendMore(count: number, timeoutMs?: number): Promise<void>;
}

export function steadyLoad(url: string, options: { ratePerSecond: number; maxRequests: number; timeoutMs?: number }): SteadyLoad {
  const t0 = performance.now();
  const result: LoadResult = { sent: 0, failures: [], bodies: [], startedAt: t0 };
  const inFlight = new Set<Promise<void>>();
  const one = async () => {
    const sentAtMs = Math.round(performance.now() - t0);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
      const body = await res.text();
      if (res.status === 200) result.bodies.push(body);
      else result.failures.push({ status: res.status, body, sentAtMs });
    } catch (error) {
      result.failures.push({ error: error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error), sentAtMs });
    }
  };
  // Paced by the schedule, not by the timer: a late tick sends what is due, so a busy machine still gets the rate.
  const timer = setInterval(() => {
    const due = Math.min(options.maxRequests, Math.floor(((performance.now() - t0) / 1000) * options.ratePerSecond));
    if (result.sent >= options.maxRequests) return clearInterval(timer);
    while (result.sent < due) {
      result.sent++;
      const p = one();
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
  }, Math.max(1, 1000 / options.ratePerSecond));
  return {
    sendMore: async (count, timeoutMs = 30_000) => {
      const target = result.sent + count;
      const deadline = performance.now() + timeoutMs;
      while (result.sent < target) {
        if (performance.now() > deadline) throw new Error(`load sent ${result.sent} of ${target} requests within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return result;
    },
  };
}
