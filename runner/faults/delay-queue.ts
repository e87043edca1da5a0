/**
 * DelayQueue: the ordered hold-back buffer behind latency, bandwidth and slicer. Items leave strictly in
 * the order they arrived, each no earlier than its due time, so a toxic can never reorder a byte stream.
 *
 *   write(chunk) --> [chunk@due, chunk@due, FIN@due] --one real-time timer--> ctx.push / ctx.end
 *
 * Due times are `performance.now()` milliseconds. One timer at a time, armed for the head item only.
 */
import type { Timer } from '../clock/clock.ts';
import type { ToxicContext } from './toxic.ts';

interface Item {
  /** null marks the FIN. */
  chunk: Buffer | null;
  due: number;
  /** When set, due is fixed only once the item reaches the head: previous emission + gap. */
  gap?: number;
}

export class DelayQueue {
  readonly #ctx: ToxicContext;
  #items: Item[] = [];
  #head = 0;
  #timer: Timer | undefined;
  #lastEmit = -Infinity;

  constructor(ctx: ToxicContext) {
    this.#ctx = ctx;
  }

  /** Due time of the last queued item (or now when empty); lets rate-based toxics chain their schedule. */
  get lastDue(): number {
    const last = this.#items[this.#items.length - 1];
    return this.#head < this.#items.length && last ? Math.max(last.due, performance.now()) : performance.now();
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  add(chunk: Buffer | null, due: number): void {
    this.#items.push({ chunk, due });
    if (chunk) this.#ctx.held(chunk.length);
    if (this.#timer === undefined) this.#drain();
  }

  /**
   * Queues an item due `gap` ms after the item before it actually leaves (not after it was scheduled), so
   * a late timer cannot bunch pieces together: slicer's gaps stay gaps under load.
   */
  addAfterGap(chunk: Buffer | null, gap: number): void {
    this.#items.push({ chunk, due: Infinity, gap });
    if (chunk) this.#ctx.held(chunk.length);
    if (this.#timer === undefined) this.#drain();
  }

  /** Releases everything now, in order (toxic removed). */
  flush(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    while (this.#head < this.#items.length) this.#emit(this.#items[this.#head++]!);
    this.#reset();
  }

  /** Drops everything (connection gone). */
  cancel(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    for (let i = this.#head; i < this.#items.length; i++) this.#ctx.held(-(this.#items[i]!.chunk?.length ?? 0));
    this.#reset();
  }

  #drain = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head]!;
      if (item.gap !== undefined) {
        item.due = this.#lastEmit + item.gap;
        item.gap = undefined;
      }
      // Timers can fire a fraction of a millisecond early; 0.5 ms slack avoids a busy re-arm.
      if (item.due - now > 0.5) {
        this.#timer = this.#ctx.setTimeout(this.#drain, item.due - now);
        return;
      }
      this.#head++;
      this.#lastEmit = now;
      this.#emit(item);
    }
    this.#reset();
  };

  #emit(item: Item): void {
    if (item.chunk === null) return this.#ctx.end();
    this.#ctx.held(-item.chunk.length);
    this.#ctx.push(item.chunk);
  }

  #reset(): void {
    this.#items = [];
    this.#head = 0;
  }
}
