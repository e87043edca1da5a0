/**
 * slicer: cuts every chunk into pieces of about `average_size` ± `size_variation` bytes and sends them
 * `delay` µs apart (Toxiproxy's slicer), which exercises a reader's framing. Delays below 1 ms are rounded
 * by Node's timers to about 1 ms.
 *
 *   chunk --> [piece, piece, piece] --> DelayQueue(each piece `delay` after the previous one left) --> next
 */
import { DelayQueue } from '../delay-queue.ts';
import type { ToxicDefinition } from '../toxic.ts';

export interface SlicerAttributes {
  /** bytes */
  average_size: number;
  /** bytes, should be smaller than average_size */
  size_variation: number;
  /** µs between pieces */
  delay: number;
}

export const slicer: ToxicDefinition<SlicerAttributes> = {
  type: 'slicer',
  defaults: { average_size: 0, size_variation: 0, delay: 0 },
  open(ctx, { average_size, size_variation, delay }) {
    const queue = new DelayQueue(ctx);
    const gap = delay / 1000;
    const nextSize = () =>
      Math.max(1, Math.round(average_size + (size_variation > 0 ? (ctx.random() * 2 - 1) * size_variation : 0)));
    return {
      write: (chunk) => {
        if (average_size <= 0) return queue.addAfterGap(chunk, 0);
        for (let at = 0; at < chunk.length; ) {
          const size = nextSize();
          queue.addAfterGap(chunk.subarray(at, at + size), gap);
          at += size;
        }
      },
      end: () => queue.addAfterGap(null, 0),
      detach: () => queue.flush(),
    };
  },
};
