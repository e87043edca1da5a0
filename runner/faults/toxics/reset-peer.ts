/**
 * reset_peer: after `timeout` ms (0 = at once) the connection is destroyed with a TCP RST, so the client
 * sees "connection reset by peer" (Toxiproxy's reset_peer). Bytes flow normally until then.
 *
 *   chunk --> next            timer(timeout) --> RST both sockets
 */
import type { ToxicDefinition } from '../toxic.ts';

export interface ResetPeerAttributes {
  /** ms before the reset; 0 = immediately */
  timeout: number;
}

export const resetPeer: ToxicDefinition<ResetPeerAttributes> = {
  type: 'reset_peer',
  defaults: { timeout: 0 },
  open(ctx, { timeout }) {
    let timer: { cancel(): void } | undefined;
    if (timeout <= 0) queueMicrotask(() => ctx.resetConnection());
    else timer = ctx.setTimeout(() => ctx.resetConnection(), timeout);
    return {
      write: (chunk) => {
        if (timeout > 0) ctx.push(chunk);
      },
      end: () => ctx.end(),
      detach: () => timer?.cancel(),
    };
  },
};
