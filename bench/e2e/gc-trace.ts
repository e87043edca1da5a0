/**
 * What V8's garbage collector did on a process's main thread, read from the `--trace-gc-nvp` lines in its
 * log (node prints one line per collection of every isolate, `[pid:isolate:thread]`, thread 0 the main
 * thread's and 1, 2... its workers'). Read in slices: each `next()` returns
 * the collections logged since the one before, so a bench can put them beside each round.
 *
 * Why a bench wants them: two `up`s of the same code can settle into different collector states and stay
 * there (2026-12-05/06: at 2,600 req/s paced most promoted 22-27 KB of the young generation a scavenge, some
 * 66 KB; a change to the trace store's shape made every start promote ~340 KB at full load). With the state
 * recorded beside each round, a run's spread can be told from the collector's (in the first run that
 * recorded it, the tracing overhead read -16.4 % with the good state in every round).
 */
import { closeSync, openSync, readSync } from 'node:fs';

export interface GcSlice {
  /** Young-generation collections (gc=s). */
  scavenges: number;
  /** Median over those scavenges of the bytes each promoted to the old generation, in KB. */
  promotedKbMedian: number;
  /** All those scavenges' pauses, ms. */
  scavengePauseMs: number;
  /** Full collections (gc=mc, mmc). */
  markCompacts: number;
  markCompactPauseMs: number;
  /** The longest pause of any collection in the slice, ms. */
  maxPauseMs: number;
}

export class GcTrace {
  #offset = 0;
  readonly #logFile: string;

  constructor(logFile: string) {
    this.#logFile = logFile;
  }

  /** Skips what was logged so far (the start and the warm-up). */
  skip(): void {
    this.next();
  }

  /** The main isolate's collections logged since the last call. */
  next(): GcSlice {
    const text = this.#readNew();
    const promoted: number[] = [];
    const slice: GcSlice = { scavenges: 0, promotedKbMedian: 0, scavengePauseMs: 0, markCompacts: 0, markCompactPauseMs: 0, maxPauseMs: 0 };
    for (const line of text.split('\n')) {
      // the main thread's lines only (thread 0)
      if (!/^\[\d+:0x[0-9a-f]+:0\]/.test(line) || !line.includes(' gc=')) continue;
      const kind = / gc=(\w+)/.exec(line)?.[1];
      const pause = Number(/ pause=([\d.]+)/.exec(line)?.[1] ?? 0);
      slice.maxPauseMs = Math.max(slice.maxPauseMs, pause);
      if (kind === 's') {
        slice.scavenges++;
        slice.scavengePauseMs += pause;
        promoted.push(Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0));
      } else if (kind === 'mc' || kind === 'mmc') {
        slice.markCompacts++;
        slice.markCompactPauseMs += pause;
      }
    }
    promoted.sort((a, b) => a - b);
    slice.promotedKbMedian = promoted.length ? Math.round(promoted[Math.floor(promoted.length / 2)]! / 100) / 10 : 0;
    slice.scavengePauseMs = Math.round(slice.scavengePauseMs * 10) / 10;
    slice.markCompactPauseMs = Math.round(slice.markCompactPauseMs * 10) / 10;
    return slice;
  }

  /** The log's complete lines since the last read (a line being written waits for the next). */
  #readNew(): string {
    const fd = openSync(this.#logFile, 'r');
    try {
      const chunks: Buffer[] = [];
      const buf = Buffer.allocUnsafe(1 << 20);
      let at = this.#offset;
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, at);
        if (n === 0) break;
        chunks.push(Buffer.from(buf.subarray(0, n)));
        at += n;
      }
      const all = Buffer.concat(chunks);
      const end = all.lastIndexOf(0x0a) + 1;
      this.#offset += end;
      return all.subarray(0, end).toString('latin1');
    } finally {
      closeSync(fd);
    }
  }
}
