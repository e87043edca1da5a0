/**
 * LogTap: turns an instance's output streams into LogLines for onLog listeners, and keeps the last few
 * lines so a crash can be explained after the fact (ExitReport.lastLines).
 *
 *   stdout ─┐  chunks -> split on \n (utf8-safe, \r stripped) -> LogLine ──> listeners (sync, errors ignored)
 *   stderr ─┘                                                          └──> tail (last `keep` lines)
 *
 * Shared by the worker and process runtimes. Lines are not replayed to late subscribers, with one exception:
 * lines written before start() handed the instance out (a fast crash's message, which nobody could have
 * subscribed for yet) are replayed, in a microtask, to listeners that subscribe before the runtime calls
 * closeReplayWindow() + one macrotask, i.e. to whoever subscribes right after `await runtime.start()`.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { LogLine } from '../runtime.ts';

/** A line longer than this is cut and emitted in pieces, so a chatty instance cannot grow memory unbounded. */
const MAX_LINE = 64 * 1024;
/** At most this many early lines are kept for replay. */
const EARLY_MAX = 200;

export class LogTap {
  readonly #instance: string;
  readonly #keep: number;
  readonly #listeners = new Set<(line: LogLine) => void>();
  readonly #tail: LogLine[] = [];
  /** Kept apart so a burst of stdout cannot push a crash message out. */
  readonly #stderrTail: LogLine[] = [];
  /** Lines written before the instance was handed out; undefined once the replay window has closed. */
  #early: LogLine[] | undefined = [];

  constructor(instance: string, keep = 20) {
    this.#instance = instance;
    this.#keep = keep;
  }

  onLog(listener: (line: LogLine) => void): () => void {
    this.#listeners.add(listener);
    const early = this.#early?.slice();
    if (early && early.length > 0) {
      // Not synchronously: a listener may call the unsubscribe function it has not been handed yet.
      queueMicrotask(() => {
        for (const line of early) if (this.#listeners.has(listener)) deliver(listener, line);
      });
    }
    return () => this.#listeners.delete(listener);
  }

  /** Called by the runtime as start() resolves: early lines stay replayable until the next macrotask. */
  closeReplayWindow(): void {
    setImmediate(() => (this.#early = undefined));
  }

  /** Reads stream to its end; resolves when it has ended or errored (never rejects). */
  attach(stream: Readable, kind: LogLine['stream']): Promise<void> {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    const take = (text: string) => {
      pending += text;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        this.emit(kind, pending.slice(0, newline));
        pending = pending.slice(newline + 1);
      }
      while (pending.length > MAX_LINE) {
        this.emit(kind, pending.slice(0, MAX_LINE));
        pending = pending.slice(MAX_LINE);
      }
    };
    return new Promise((resolve) => {
      let ended = false;
      const done = () => {
        if (ended) return;
        ended = true;
        take(decoder.end());
        if (pending) this.emit(kind, pending);
        pending = '';
        resolve();
      };
      stream.on('data', (chunk: Buffer | string) => take(typeof chunk === 'string' ? chunk : decoder.write(chunk)));
      stream.once('end', done);
      stream.once('error', done);
      stream.once('close', done);
    });
  }

  /** Emits one line as if the instance had written it (used for errors the runtime observes itself). */
  emit(stream: LogLine['stream'], text: string): void {
    const line: LogLine = { instance: this.#instance, stream, line: text.replace(/\r$/, ''), at: Date.now() };
    const tail = stream === 'stderr' ? this.#stderrTail : this.#tail;
    tail.push(line);
    if (tail.length > this.#keep) tail.shift();
    if (this.#early && this.#early.length < EARLY_MAX) this.#early.push(line);
    for (const listener of this.#listeners) deliver(listener, line);
  }

  /** The last lines kept: the stderr ones when there are any (that is where crashes speak), else all. */
  lastLines(): string[] {
    return (this.#stderrTail.length > 0 ? this.#stderrTail : this.#tail).map((l) => l.line);
  }
}

function deliver(listener: (line: LogLine) => void, line: LogLine): void {
  try {
    listener(line);
  } catch {
    // A failing subscriber must not break the instance's output pipe.
  }
}
