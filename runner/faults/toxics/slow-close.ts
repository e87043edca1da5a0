/**
 * slow_close: when this direction's source closes, the FIN is passed on only after `delay` ms
 * (Toxiproxy's slow_close). Data is untouched.
 *
 *   chunk --> next            FIN --> timer(delay) --> next
 */
import type { ToxicDefinition } from '../toxic.ts';

export interface SlowCloseAttributes {
  /** ms */
  delay: number;
}

export const slowClose: ToxicDefinition<SlowCloseAttributes> = {
  type: 'slow_close',
  defaults: { delay: 0 },
  open(ctx, { delay }) {
    let timer: { cancel(): void } | undefined;
    let ended = false;
    return {
      write: (chunk) => ctx.push(chunk),
      end: () => {
        ended = true;
        timer = ctx.setTimeout(() => {
          timer = undefined;
          ctx.end();
        }, delay);
      },
      detach: () => {
        if (!timer) return;
        timer.cancel();
        timer = undefined;
        if (ended) ctx.end();
      },
    };
  },
};
