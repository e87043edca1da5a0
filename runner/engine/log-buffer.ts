/** LogBuffer: the last N log lines of every instance together, oldest first. Bounded memory. */
export interface BufferedLine {
  instance: string;
  stream: 'stdout' | 'stderr';
  line: string;
  at: number;
}

export class LogBuffer {
  readonly #capacity: number;
  #lines: BufferedLine[] = [];

  constructor(capacity = 2000) {
    this.#capacity = capacity;
  }

  push(line: BufferedLine): void {
    this.#lines.push(line);
    // Trim in batches so a busy log does not shift the array on every line.
    if (this.#lines.length > this.#capacity * 1.25) this.#lines = this.#lines.slice(-this.#capacity);
  }

  recent(instance?: string, limit = 200): BufferedLine[] {
    const pool = instance ? this.#lines.filter((l) => l.instance === instance) : this.#lines;
    return pool.slice(-Math.min(limit, this.#capacity));
  }
}
