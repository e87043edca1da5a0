/**
 * SharedRender: one serialized answer per query and index, shared by every reader of it. When the index
 * moves, every blocking watcher of a service wakes at once and asks the same question at the same index
 * (the gateway's, the proxy's and each instance's node cache): with 1,000 instances of a service one
 * `/v1/health/service` answer is ~2.7 MB of JSON and took 20-100 ms of the main thread to build, per
 * watcher, per change. A write that changes what a read returns moves the index (CatalogStore), so an
 * answer is good for as long as the index stays; the entries of an older index are dropped when it moves.
 *
 *   index N: read(q) ──miss──> render + JSON.stringify ──> Buffer ──> every later read(q) at N gets it
 *   index N+1: the table starts empty
 */
const MAX_QUERIES_PER_INDEX = 64; // distinct queries kept per index; past it, answers are built each time

export class SharedRender {
  #index = -1;
  readonly #bodies = new Map<string, Buffer>();

  /** The JSON of render() for query `key` at `index`, built once while the index stays. */
  json(index: number, key: string, render: () => unknown): Buffer {
    if (index !== this.#index) {
      this.#index = index;
      this.#bodies.clear();
    }
    let body = this.#bodies.get(key);
    if (!body) {
      body = Buffer.from(JSON.stringify(render()));
      if (this.#bodies.size < MAX_QUERIES_PER_INDEX) this.#bodies.set(key, body);
    }
    return body;
  }
}

/** A read's identity for SharedRender: its path and query without the blocking parameters (index, wait). */
export function queryKey(path: string, query: URLSearchParams): string {
  let key = path;
  for (const [k, v] of query) if (k !== 'index' && k !== 'wait') key += `&${k}=${v}`;
  return key;
}
