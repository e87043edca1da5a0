/**
 * LogBuffer: the last lines of every instance, a ring per instance so a chatty instance cannot push the
 * others' lines out. Bounded memory: `capacity` lines per instance (trimmed in batches).
 */
export interface BufferedLine {
  instance: string;
  stream: 'stdout' | 'stderr';
  line: string;
  at: number;
}

export class LogBuffer {
  readonly #capacity: number;
  readonly #rings = new Map<string, BufferedLine[]>();

  /** `capacity`: lines kept per instance. */
  constructor(capacity = 2000) {
    this.#capacity = capacity;
  }

  push(line: BufferedLine): void {
    let ring = this.#rings.get(line.instance);
    if (!ring) {
      ring = [];
      this.#rings.set(line.instance, ring);
    }
    ring.push(line);
    // Trim in batches so a busy log does not shift the array on every line.
    if (ring.length > this.#capacity * 1.25) this.#rings.set(line.instance, ring.slice(-this.#capacity));
  }

  /** The last `limit` lines of one instance, or of all of them merged in time order; oldest first. */
  recent(instance?: string, limit = 200): BufferedLine[] {
    if (instance !== undefined) return (this.#rings.get(instance) ?? []).slice(-Math.min(limit, this.#capacity));
    const all = [...this.#rings.values()].flatMap((ring) => ring.slice(-limit));
    // Stable: lines of one instance with the same timestamp keep their order.
    return all.sort((a, b) => a.at - b.at).slice(-limit);
  }
}
