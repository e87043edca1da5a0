/**
 * timeout: no data gets through; after `timeout` ms the connection is closed (0 = never: data waits until
 * the toxic is removed, then flows again in order). Toxiproxy's timeout.
 *
 *   chunk --> held            timer(timeout) --> close both sockets      detach --> release held
 */
import type { ToxicDefinition } from '../toxic.ts';

export interface TimeoutAttributes {
  /** ms before closing; 0 = hold forever */
  timeout: number;
}

export const timeout: ToxicDefinition<TimeoutAttributes> = {
  type: 'timeout',
  defaults: { timeout: 0 },
  open(ctx, { timeout: ms }) {
    let held: (Buffer | null)[] = [];
    const timer = ms > 0 ? ctx.setTimeout(() => ctx.closeConnection(), ms) : undefined;
    return {
      write: (chunk) => {
        held.push(chunk);
        ctx.held(chunk.length);
      },
      end: () => void held.push(null),
      detach: () => {
        timer?.cancel();
        const release = held;
        held = [];
        for (const chunk of release) {
          if (chunk === null) ctx.end();
          else {
            ctx.held(-chunk.length);
            ctx.push(chunk);
          }
        }
      },
    };
  },
};
