/**
 * latency: every chunk is held for `latency` ms ± `jitter` ms (uniform), in order (Toxiproxy's latency).
 *
 *   chunk --> DelayQueue(due = arrival + latency ± jitter) --> next
 *
 * On removal the held chunks are released at once, so no byte is lost.
 */
import { DelayQueue } from '../delay-queue.ts';
import type { ToxicDefinition } from '../toxic.ts';

export interface LatencyAttributes {
  /** ms */
  latency: number;
  /** ms, uniform ± around latency */
  jitter: number;
}

export const latency: ToxicDefinition<LatencyAttributes> = {
  type: 'latency',
  defaults: { latency: 0, jitter: 0 },
  open(ctx, { latency, jitter }) {
    const queue = new DelayQueue(ctx);
    const delay = () => Math.max(0, latency + (jitter > 0 ? (ctx.random() * 2 - 1) * jitter : 0));
    return {
      write: (chunk) => queue.add(chunk, performance.now() + delay()),
      end: () => queue.add(null, queue.lastDue),
      detach: () => queue.flush(),
    };
  },
};
