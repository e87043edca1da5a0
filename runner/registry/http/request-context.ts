import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConsulHttpError } from '../consul-http-error.ts';

/** What a handler returns; the server writes it (JSON unless `text`/`raw` is set). */
export interface Reply {
  status?: number;
  json?: unknown;
  text?: string;
  raw?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Blocking-capable reads: sets X-Consul-Index / KnownLeader / LastContact. */
  index?: number;
}

/**
 * One request: method, the percent-decoded path (Go's `req.URL.Path`), query, and the body read on demand
 * with a size limit. `signal` aborts when the client goes away (blocking queries stop waiting).
 */
export class RequestContext {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly req: IncomingMessage;
  readonly #res: ServerResponse;
  #abort: AbortController | undefined;
  /** The suffix after a prefix route (`/v1/kv/` + key), set by the router. */
  param = '';

  constructor(req: IncomingMessage, res: ServerResponse) {
    this.req = req;
    this.#res = res;
    this.method = req.method ?? 'GET';
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    try {
      this.path = decodeURIComponent(rawPath);
    } catch {
      throw new ConsulHttpError(400, `invalid URL escape in path ${JSON.stringify(rawPath)}`);
    }
    this.query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  }

  /** Aborts when the client goes away; created on first use (only blocking reads need it). */
  get signal(): AbortSignal {
    if (!this.#abort) {
      const abort = (this.#abort = new AbortController());
      if (this.#res.closed || this.#res.destroyed) abort.abort();
      else this.#res.once('close', () => abort.abort());
    }
    return this.#abort.signal;
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  /** Reads the whole body; over `limit` bytes -> 413 with `tooLarge` text. */
  async body(limit: number, tooLarge = `Request body too large, max size: ${limit} bytes`): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new ConsulHttpError(413, tooLarge);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async text(limit = 1 << 20): Promise<string> {
    return (await this.body(limit)).toString('utf8');
  }
}
