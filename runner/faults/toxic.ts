/**
 * Toxic: the tiny interface a fault implements. One `ToxicStage` is opened per direction of one connection;
 * it receives the bytes the previous stage let through and decides when (and whether) to pass them on.
 *
 *   source socket --data--> [noop] --> stage(toxic 1) --push--> stage(toxic 2) --push--> sink socket
 *                            (fast path: no stages -> source writes straight into the sink)
 *
 * A stage never touches the sockets directly: it calls `ctx.push` / `ctx.end` to hand bytes or the FIN to
 * whatever follows it *now* (the chain can grow or shrink while it runs), and `ctx.resetConnection` /
 * `ctx.closeConnection` to end the whole connection. Stages are created and detached only by the chain.
 */
import type { Timer } from '../clock/clock.ts';

/** upstream = client -> server, downstream = server -> client (Toxiproxy's `stream`). */
export type Stream = 'upstream' | 'downstream';

export interface ToxicContext {
  readonly stream: Stream;
  /** Hands bytes to the next stage (or the sink). Never call after `detach()`. */
  push(chunk: Buffer): void;
  /** Forwards the source's FIN to the next stage (or ends the sink's writable side). */
  end(): void;
  /** Destroys both sockets with a TCP RST (Connection reset by peer). */
  resetConnection(): void;
  /** Closes both sockets gracefully (FIN), dropping what was not yet written. */
  closeConnection(): void;
  /**
   * Reports bytes the stage starts (+n) or stops (-n) holding. Past 1 MiB held on a chain the source socket
   * is paused (TCP backpressure to the sender) until it falls under 256 KiB.
   */
  held(delta: number): void;
  /** Real-time timers for the data path (ms). Durations of whole toxics use the plane's injected clock. */
  setTimeout(fn: () => void, ms: number): Timer;
  /** Uniform [0, 1); seeded by the plane so jitter and slice sizes replay. */
  random(): number;
}

/** One toxic applied to one direction of one connection. Not blocking; all methods return at once. */
export interface ToxicStage {
  /** Bytes from the previous stage. */
  write(chunk: Buffer): void;
  /** The previous stage's FIN. Default behaviour: forward it after anything held. */
  end(): void;
  /** The toxic is removed (or deactivated for this request): hand on or drop what is held, cancel timers. */
  detach(): void;
}

/** A toxic type: validated attributes in, per-connection stages out. */
export interface ToxicDefinition<A extends object = Record<string, number>> {
  readonly type: string;
  /** Attribute defaults, in Toxiproxy's JSON field order. */
  readonly defaults: A;
  open(ctx: ToxicContext, attributes: A): ToxicStage;
}

/** A stage that passes everything on unchanged (the head of every chain, and an inactive toxic). */
export function passThrough(ctx: ToxicContext): ToxicStage {
  return {
    write: (chunk) => ctx.push(chunk),
    end: () => ctx.end(),
    detach: () => {},
  };
}
