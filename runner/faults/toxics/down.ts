/**
 * down: a blackhole. Bytes in this direction are swallowed and the connection stays open (it hangs),
 * which is what a network partition looks like to both ends. Put it on both streams for a full partition.
 *
 *   chunk --> (dropped)          FIN --> held until the toxic goes (so a healed link can still close)
 *
 * Not in Toxiproxy (there "down" is `enabled: false`, which our Link also has: it refuses new connections).
 */
import type { ToxicDefinition } from '../toxic.ts';

export type DownAttributes = Record<string, never>;

export const down: ToxicDefinition<DownAttributes> = {
  type: 'down',
  defaults: {},
  open(ctx) {
    let ended = false;
    return {
      write: () => {},
      end: () => void (ended = true),
      detach: () => {
        if (ended) ctx.end();
      },
    };
  },
};
