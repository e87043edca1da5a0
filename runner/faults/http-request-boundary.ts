/**
 * HttpRequestBoundary: finds where HTTP/1.x requests start in the client -> server byte stream, so toxicity
 * can be drawn per request on keep-alive connections (Toxiproxy draws once per connection).
 *
 *   bytes --> [head until CRLFCRLF] --Content-Length--> [body n bytes] --> next request starts here
 *
 * What it understands: a request line `METHOD target HTTP/1.0|1.1`, headers up to 64 KiB, a body framed by
 * Content-Length (or none). Anything else (not HTTP, `Transfer-Encoding`, an oversized head, HTTP/2's
 * preface) turns it off for the rest of the connection: `feed` returns null and the caller falls back to
 * the per-connection draw it already made. Cost: one latin1 scan of header bytes; bodies are only counted.
 */
const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]$/;
const MAX_HEAD = 64 * 1024;
const METHOD_PREFIX = /^[A-Z]{1,20}(?: |$)/;

export class HttpRequestBoundary {
  #state: 'start' | 'head' | 'body' | 'off' = 'start';
  #head = '';
  #bodyLeft = 0;

  get off(): boolean {
    return this.#state === 'off';
  }

  /** Offsets in `chunk` at which a new request begins; null once the stream is not parseable HTTP/1.x. */
  feed(chunk: Buffer): number[] | null {
    if (this.#state === 'off') return null;
    const starts: number[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.#state === 'start') {
        starts.push(at);
        this.#state = 'head';
        this.#head = '';
      }
      if (this.#state === 'head') {
        const before = this.#head.length;
        const text = this.#head + chunk.toString('latin1', at);
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) {
          this.#head = text;
          // Bail out early on binary protocols instead of buffering 64 KiB of them.
          if (text.length > MAX_HEAD || !METHOD_PREFIX.test(text)) return this.#giveUp();
          at = chunk.length;
          continue;
        }
        at += end + 4 - before;
        this.#head = '';
        const length = this.#bodyLength(text.slice(0, end));
        if (length === null) return this.#giveUp();
        this.#bodyLeft = length;
        this.#state = length > 0 ? 'body' : 'start';
        continue;
      }
      const take = Math.min(this.#bodyLeft, chunk.length - at);
      at += take;
      this.#bodyLeft -= take;
      if (this.#bodyLeft === 0) this.#state = 'start';
    }
    return starts;
  }

  /** Body length from a request head, or null when the framing is not one we follow. */
  #bodyLength(head: string): number | null {
    const lines = head.split('\r\n');
    if (!REQUEST_LINE.test(lines[0] ?? '')) return null;
    let length = 0;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      if (name === 'transfer-encoding') return null;
      if (name === 'content-length') {
        const n = Number(line.slice(colon + 1).trim());
        if (!Number.isSafeInteger(n) || n < 0) return null;
        length = n;
      }
    }
    return length;
  }

  #giveUp(): null {
    this.#state = 'off';
    this.#head = '';
    return null;
  }
}
