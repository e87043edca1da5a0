/**
 * StaticProxy: the "one Nginx in front" stage of the architecture story, built in: an HTTP reverse proxy on
 * 127.0.0.1 with a fixed upstream list, taken once at start and never refreshed. Round robin; on a refused
 * connection it tries the next upstream (nginx's `proxy_next_upstream error`), but it knows nothing of the
 * registry, so a replica that moved is gone for good, and when the proxy itself dies nothing answers.
 *
 *   client --> StaticProxy(:port) --round robin--> upstream[0..n)   (fixed list)
 *
 * start() resolves once listening; stop() closes every socket (a "kill"); start() again reuses the port.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export class StaticProxy {
  readonly engine = 'builtin';
  readonly upstreams: readonly string[];
  #server?: Server;
  #sockets = new Set<Socket>();
  #next = 0;
  #port = 0;

  constructor(upstreams: readonly string[]) {
    this.upstreams = upstreams;
  }

  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  async start(): Promise<void> {
    if (this.#server) return;
    const server = createServer((req, res) => this.#handle(req, res));
    server.keepAliveTimeout = 5_000;
    server.on('connection', (s) => {
      this.#sockets.add(s);
      s.once('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: this.#port }, () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Closes the listener and every connection at once, as a killed process would. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  close(): Promise<void> {
    return this.stop();
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.#forward(req, res, Buffer.concat(chunks), this.upstreams.length));
  }

  #forward(req: IncomingMessage, res: ServerResponse, body: Buffer, triesLeft: number): void {
    if (triesLeft === 0 || this.upstreams.length === 0) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('502 Bad Gateway: no upstream answered\n');
      return;
    }
    const upstream = this.upstreams[this.#next++ % this.upstreams.length]!;
    const [host, port] = [upstream.slice(0, upstream.lastIndexOf(':')), Number(upstream.slice(upstream.lastIndexOf(':') + 1))];
    const out = request({ host, port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream }, timeout: 5_000 }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('timeout', () => out.destroy(new Error('upstream timeout')));
    out.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) return void res.destroy();
      if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') this.#forward(req, res, body, triesLeft - 1);
      else res.writeHead(504, { 'content-type': 'text/plain' }).end(`504 Gateway Timeout: ${error.message}\n`);
    });
    out.end(body);
  }
}
