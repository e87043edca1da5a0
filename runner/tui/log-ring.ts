/**
 * A fixed-capacity ring of log entries: memory stays bounded however chatty the instances are; the
 * oldest entry is overwritten first. at(0) is the oldest kept entry.
 */
export class LogRing<T> {
  readonly capacity: number;
  #items: T[] = [];
  #start = 0;

  constructor(capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`log capacity must be >= 1, got ${capacity}`);
    this.capacity = Math.floor(capacity);
  }

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    if (this.#items.length < this.capacity) {
      this.#items.push(item);
      return;
    }
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % this.capacity;
  }

  at(i: number): T {
    return this.#items[(this.#start + i) % this.#items.length];
  }

  toArray(): T[] {
    return Array.from({ length: this.size }, (_, i) => this.at(i));
  }
}
