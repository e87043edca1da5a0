/**
 * ToxicChain: one direction of one connection. A noop head, then one slot per toxic on the link for this
 * stream, in the order they were added; each slot is active (a live ToxicStage) or passes bytes through.
 *
 *   source.on('data') --> noop --> slot 1 --> slot 2 --> ... --> sink.write (pauses source on backpressure)
 *                          \____________ no slots: fast path ____________/
 *
 * Slots are added and removed synchronously on live connections, so a toxic applies to the very next
 * chunk after FaultPlane.addToxic returns. A removed stage is detached first: it hands on what it holds.
 */
import type { Duplex } from 'node:stream';
import type { Clock } from '../clock/clock.ts';
import type { ToxicView } from './toxic-catalogue.ts';
import { toxicDefinition } from './toxic-catalogue.ts';
import type { Stream, ToxicContext, ToxicStage } from './toxic.ts';

export interface ChainHooks {
  resetConnection(): void;
  closeConnection(): void;
  random(): number;
  /** Real-time clock for toxics' data-path timers. */
  timers: Clock;
  /** Sees every chunk as it is written to the sink, after the toxics (the link's traffic meter). */
  delivered?(chunk: Buffer): void;
}

const HOLD_HIGH = 1024 * 1024;
const HOLD_LOW = 256 * 1024;

interface Slot {
  toxic: ToxicView;
  stage: ToxicStage | null;
  /** Invalidates the stage's context once it is detached (late timers become no-ops). */
  live: { value: boolean };
}

export class ToxicChain {
  readonly stream: Stream;
  readonly #source: Duplex;
  readonly #sink: Duplex;
  readonly #hooks: ChainHooks;
  #slots: Slot[] = [];
  #closed = false;
  #waitingDrain = false;
  /** Bytes held by this chain's stages (latency queues, timeout buffers...). */
  #held = 0;
  #overHeld = false;

  constructor(stream: Stream, source: Duplex, sink: Duplex, hooks: ChainHooks) {
    this.stream = stream;
    this.#source = source;
    this.#sink = sink;
    this.#hooks = hooks;
  }

  /** Bytes read from the source. */
  write(chunk: Buffer): void {
    if (this.#slots.length === 0) this.#sinkWrite(chunk);
    else this.#deliver(0, chunk);
  }

  /** The source's FIN. */
  end(): void {
    if (this.#slots.length === 0) this.#sinkEnd();
    else this.#deliverEnd(0);
  }

  /** Appends a toxic; `active` is this connection's toxicity draw. */
  add(toxic: ToxicView, active: boolean): void {
    const slot: Slot = { toxic, stage: null, live: { value: false } };
    this.#slots.push(slot);
    if (active) this.#activate(slot);
  }

  remove(name: string): void {
    const slot = this.#slots.find((s) => s.toxic.name === name);
    if (!slot) return;
    this.#deactivate(slot);
    this.#slots = this.#slots.filter((s) => s !== slot);
  }

  /** Swaps a toxic's attributes/toxicity in place (same position); the old stage hands on what it holds. */
  update(toxic: ToxicView, active: boolean): void {
    const slot = this.#slots.find((s) => s.toxic.name === toxic.name);
    if (!slot) return;
    this.#deactivate(slot);
    slot.toxic = toxic;
    if (active) this.#activate(slot);
  }

  /** Toxics whose stage is live on this connection now (drawn active), in chain order. */
  /** Toxics on this chain (active for this connection or not). */
  get slots(): number {
    return this.#slots.length;
  }

  active(): ToxicView[] {
    const out: ToxicView[] = [];
    for (const slot of this.#slots) if (slot.stage) out.push(slot.toxic);
    return out;
  }

  /** A new request began: draw again for every toxic whose toxicity is strictly between 0 and 1. */
  redraw(): void {
    for (const slot of this.#slots) {
      const p = slot.toxic.toxicity;
      if (p <= 0 || p >= 1) continue;
      const active = this.#hooks.random() < p;
      if (active && !slot.stage) this.#activate(slot);
      else if (!active && slot.stage) this.#deactivate(slot);
    }
  }

  /** Connection gone: nothing more may be written; stages drop what they hold and cancel their timers. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots) {
      const stage = slot.stage;
      slot.stage = null;
      stage?.detach();
      slot.live.value = false;
    }
    this.#slots = [];
  }

  #activate(slot: Slot): void {
    const live = { value: true };
    slot.live = live;
    slot.stage = toxicDefinition(slot.toxic.type).open(this.#context(slot, live), slot.toxic.attributes);
  }

  #deactivate(slot: Slot): void {
    const stage = slot.stage;
    if (!stage) return;
    slot.stage = null;
    stage.detach();
    slot.live.value = false;
  }

  #context(slot: Slot, live: { value: boolean }): ToxicContext {
    const next = () => this.#slots.indexOf(slot) + 1;
    return {
      stream: this.stream,
      push: (chunk) => {
        if (live.value && !this.#closed) this.#deliver(next(), chunk);
      },
      end: () => {
        if (live.value && !this.#closed) this.#deliverEnd(next());
      },
      resetConnection: () => {
        if (live.value && !this.#closed) this.#hooks.resetConnection();
      },
      closeConnection: () => {
        if (live.value && !this.#closed) this.#hooks.closeConnection();
      },
      held: (delta) => this.#onHeld(delta),
      setTimeout: (fn, ms) => this.#hooks.timers.setTimeout(fn, ms),
      random: this.#hooks.random,
    };
  }

  #deliver(from: number, chunk: Buffer): void {
    for (let i = from; i < this.#slots.length; i++) {
      const stage = this.#slots[i]!.stage;
      if (stage) return stage.write(chunk);
    }
    this.#sinkWrite(chunk);
  }

  #deliverEnd(from: number): void {
    for (let i = from; i < this.#slots.length; i++) {
      const stage = this.#slots[i]!.stage;
      if (stage) return stage.end();
    }
    this.#sinkEnd();
  }

  #sinkWrite(chunk: Buffer): void {
    const sink = this.#sink;
    if (sink.destroyed || sink.writableEnded) return;
    this.#hooks.delivered?.(chunk);
    if (sink.write(chunk) || this.#waitingDrain) return;
    this.#waitingDrain = true;
    this.#source.pause();
    sink.once('drain', () => {
      this.#waitingDrain = false;
      this.#flow();
    });
  }

  #onHeld(delta: number): void {
    this.#held += delta;
    if (!this.#overHeld && this.#held > HOLD_HIGH) {
      this.#overHeld = true;
      this.#source.pause();
    } else if (this.#overHeld && this.#held < HOLD_LOW) {
      this.#overHeld = false;
      this.#flow();
    }
  }

  /** Resumes the source once neither the sink nor held bytes ask for a pause. */
  #flow(): void {
    if (!this.#waitingDrain && !this.#overHeld && !this.#closed) this.#source.resume();
  }

  #sinkEnd(): void {
    if (!this.#sink.destroyed && !this.#sink.writableEnded) this.#sink.end();
  }
}
