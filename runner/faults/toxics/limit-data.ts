/**
 * limit_data: lets `bytes` bytes through this direction (counted from when the toxic met the connection),
 * then closes the connection (Toxiproxy's limit_data).
 *
 *   chunk --> first (bytes - sent) bytes --> next;  limit reached --> close both sockets
 */
import type { ToxicDefinition } from '../toxic.ts';

export interface LimitDataAttributes {
  /** bytes allowed through before the connection is closed */
  bytes: number;
}

export const limitData: ToxicDefinition<LimitDataAttributes> = {
  type: 'limit_data',
  defaults: { bytes: 0 },
  open(ctx, { bytes }) {
    let left = bytes;
    let closed = false;
    return {
      write: (chunk) => {
        if (closed) return;
        if (chunk.length < left) {
          left -= chunk.length;
          return ctx.push(chunk);
        }
        if (left > 0) ctx.push(chunk.subarray(0, left));
        left = 0;
        closed = true;
        ctx.closeConnection();
      },
      end: () => ctx.end(),
      detach: () => {},
    };
  },
};
