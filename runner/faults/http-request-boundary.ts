/**
 * HttpRequestBoundary: finds where HTTP/1.x requests start in the client -> server byte stream, so toxicity
 * can be drawn per request on keep-alive connections (Toxiproxy draws once per connection).
 *
 *   bytes --> [head until CRLFCRLF] --Content-Length n--> [body: n bytes] ----------------> next request
 *                                   '-chunked-----------> [size line, data, CRLF]* [0, trailers, CRLF] -'
 *
 * What it understands: a request line `METHOD target HTTP/1.0|1.1`, headers up to 64 KiB, a body framed by
 * Content-Length, by `Transfer-Encoding: chunked`, or none. Anything else (not HTTP, another transfer coding,
 * a bad length, an oversized head or chunk line, HTTP/2's preface) turns it off for the rest of the
 * connection: `feed` returns null and the caller keeps the per-connection draw it already made.
 * Cost: a latin1 scan of header and chunk-size lines; body bytes are only counted.
 */
const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]$/;
const METHOD_PREFIX = /^[A-Z]{1,20}(?: |$)/;
const MAX_HEAD = 64 * 1024;
const MAX_LINE = 4 * 1024;

type State = 'start' | 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'trailer' | 'off';

export class HttpRequestBoundary {
  #state: State = 'start';
  /** Partial head or line carried over from the previous chunk. */
  #text = '';
  #left = 0;

  get off(): boolean {
    return this.#state === 'off';
  }

  /** Offsets in `chunk` at which a new request begins; null once the stream is not parseable HTTP/1.x. */
  feed(chunk: Buffer): number[] | null {
    if (this.#state === 'off') return null;
    const starts: number[] = [];
    let at = 0;
    while (at < chunk.length) {
      switch (this.#state) {
        case 'start':
          starts.push(at);
          this.#state = 'head';
          this.#text = '';
          break;
        case 'head': {
          const found = this.#until(chunk, at, '\r\n\r\n', MAX_HEAD, METHOD_PREFIX);
          if (found === null) return this.#giveUp();
          if (found.next < 0) return starts;
          at = found.next;
          const framing = this.#framing(found.text);
          if (framing === null) return this.#giveUp();
          if (framing === 'chunked') this.#state = 'chunk-size';
          else if (framing > 0) [this.#state, this.#left] = ['body', framing];
          else this.#state = 'start';
          break;
        }
        case 'chunk-size': {
          const found = this.#until(chunk, at, '\r\n', MAX_LINE);
          if (found === null) return this.#giveUp();
          if (found.next < 0) return starts;
          at = found.next;
          const size = parseInt(found.text.split(';')[0]!.trim(), 16);
          if (!Number.isSafeInteger(size) || size < 0 || !/^[0-9a-fA-F]+/.test(found.text.trim())) return this.#giveUp();
          // Data plus its trailing CRLF; a zero-size chunk ends the body, then trailers until an empty line.
          if (size === 0) this.#state = 'trailer';
          else [this.#state, this.#left] = ['chunk-data', size + 2];
          break;
        }
        case 'trailer': {
          const found = this.#until(chunk, at, '\r\n', MAX_LINE);
          if (found === null) return this.#giveUp();
          if (found.next < 0) return starts;
          at = found.next;
          if (found.text === '') this.#state = 'start';
          break;
        }
        case 'body':
        case 'chunk-data': {
          const take = Math.min(this.#left, chunk.length - at);
          at += take;
          this.#left -= take;
          if (this.#left === 0) this.#state = this.#state === 'body' ? 'start' : 'chunk-size';
          break;
        }
      }
    }
    return starts;
  }

  /**
   * Reads up to `marker` (carrying partial text across chunks). next = offset after the marker, or -1 when
   * the chunk ended first; null when the text grows past `max` or stops matching `prefix`.
   */
  #until(chunk: Buffer, at: number, marker: string, max: number, prefix?: RegExp): { text: string; next: number } | null {
    const before = this.#text.length;
    const text = this.#text + chunk.toString('latin1', at, Math.min(chunk.length, at + max + marker.length));
    const end = text.indexOf(marker);
    if (end < 0) {
      // Bail out early on binary protocols instead of buffering them.
      if (text.length > max || (prefix && !prefix.test(text))) return null;
      this.#text = text;
      return { text: '', next: -1 };
    }
    this.#text = '';
    return { text: text.slice(0, end), next: at + end + marker.length - before };
  }

  /** Body framing from a request head: a length, 'chunked', or null when it is not one we follow. */
  #framing(head: string): number | 'chunked' | null {
    const lines = head.split('\r\n');
    if (!REQUEST_LINE.test(lines[0] ?? '')) return null;
    let length = 0;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'transfer-encoding') {
        if (value.toLowerCase() !== 'chunked') return null;
        chunked = true;
      } else if (name === 'content-length') {
        const n = Number(value);
        if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) return null;
        length = n;
      }
    }
    return chunked ? 'chunked' : length;
  }

  #giveUp(): null {
    this.#state = 'off';
    this.#text = '';
    return null;
  }
}
