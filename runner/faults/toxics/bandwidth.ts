/**
 * bandwidth: limits this direction of one connection to `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy;
 * the limit is per connection, toxiproxy#190). Chunks are cut into pieces of at most 100 ms worth.
 *
 *   chunk --> pieces of <= rate*100 B --> DelayQueue(each piece due len/rate ms after the previous) --> next
 *
 * rate 0 = unlimited. The source is not paused while the queue is long (a known limit: memory grows).
 */
import { DelayQueue } from '../delay-queue.ts';
import type { ToxicDefinition } from '../toxic.ts';

export interface BandwidthAttributes {
  /** KB/s (1000 bytes per second each) */
  rate: number;
}

export const bandwidth: ToxicDefinition<BandwidthAttributes> = {
  type: 'bandwidth',
  defaults: { rate: 0 },
  open(ctx, { rate }) {
    const queue = new DelayQueue(ctx);
    // rate KB/s == rate bytes per ms
    const piece = Math.max(1, Math.floor(rate * 100));
    return {
      write: (chunk) => {
        if (rate <= 0) return queue.size ? queue.add(chunk, queue.lastDue) : ctx.push(chunk);
        let due = queue.lastDue;
        for (let at = 0; at < chunk.length; at += piece) {
          const part = chunk.subarray(at, at + piece);
          due += part.length / rate;
          queue.add(part, due);
        }
      },
      end: () => queue.add(null, queue.lastDue),
      detach: () => queue.flush(),
    };
  },
};
