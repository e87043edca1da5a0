import type { Clock } from '../../clock/clock.ts';
import { badRequest } from '../consul-http-error.ts';
import { parseGoDuration } from '../go-duration.ts';
import type { CatalogView } from '../lease/lease-model.ts';
import type { RequestContext } from './request-context.ts';

export const DEFAULT_WAIT_MS = 5 * 60_000;
export const MAX_WAIT_MS = 10 * 60_000;
const JITTER_FRACTION = 16;

/** `?index` / `?wait` of a read: minIndex 0 = non-blocking. Throws Consul's 400 texts. */
export function parseBlocking(ctx: RequestContext): { minIndex: number; waitMs: number } {
  const q = ctx.query;
  if (q.has('stale') && q.has('consistent')) {
    throw badRequest('Cannot specify ?stale with ?consistent, conflicting semantics.');
  }
  let waitMs = 0;
  const wait = q.get('wait');
  if (wait !== null && wait !== '') {
    try {
      waitMs = parseGoDuration(wait);
    } catch {
      throw badRequest('Invalid wait time');
    }
  }
  let minIndex = 0;
  const index = q.get('index');
  if (index !== null && index !== '') {
    if (!/^\d+$/.test(index)) throw badRequest('Invalid index');
    minIndex = Number(index);
  }
  // wait <= 0 means the default, not "return now" (api/api.go durToMsec).
  if (waitMs <= 0) waitMs = DEFAULT_WAIT_MS;
  waitMs = Math.min(waitMs, MAX_WAIT_MS);
  return { minIndex, waitMs };
}

/**
 * Runs a blocking read: returns once the view's index exceeds `index`, or after wait + jitter in
 * [0, wait/16) with the same index, or when the client disconnects. Waits on the wall clock.
 */
export async function blockUntilChanged(
  ctx: RequestContext,
  view: () => CatalogView | { data: { index: number }; feed: CatalogView['feed'] },
  clock: Clock,
  random: () => number = Math.random,
): Promise<void> {
  const { minIndex, waitMs } = parseBlocking(ctx);
  if (minIndex === 0) return;
  const deadline = clock.now() + waitMs + Math.floor((random() * waitMs) / JITTER_FRACTION);
  let waited = false;
  for (;;) {
    const v = view();
    if (v.data.index > minIndex || ctx.signal.aborted || v.feed.closed) {
      // Woken by a write: the other writes this turn of the event loop has already received (a burst of
      // registrations, each its own request) land before the answer, so watchers answer once for all of
      // them instead of once per write.
      if (waited && !ctx.signal.aborted && !v.feed.closed) await new Promise((resolve) => setImmediate(resolve));
      return;
    }
    const left = deadline - clock.now();
    if (left <= 0) return;
    // Wait for the next write anywhere; a write that does not move this view's index loops back here.
    await v.feed.waitBeyond(v.feed.index, left, clock, ctx.signal);
    waited = true;
  }
}
