/**
 * Control API: serves an OrchestratorApi on 127.0.0.1 so other commands (status, down, ui, call) can reach
 * a running `up`. Every request carries `Authorization: Bearer <token>` (from the run file), so a web page
 * in a browser on the same machine cannot drive it.
 *
 *   GET  /api/snapshot            -> Snapshot
 *   GET  /api/logs?instance=&limit= -> log lines
 *   GET  /api/traces?failed=1&slow=1&service=S&since=&until=&limit= -> TraceSummary[] (newest first)
 *   GET  /api/traces/<id or prefix> -> TraceDetail, or 404
 *   GET  /api/resources           -> {pid, memory, heap, threads, handles: {Timeout: n, TCPSocketWrap: n, ...}} of micro-dev
 *   POST /api/command  {Command}  -> CommandResult
 *   GET  /api/events   (WebSocket) -> {"snapshot":...} then {"event":...} per event
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { getHeapStatistics } from 'node:v8';
import { WebSocketServer } from 'ws';
import type { Command, OrchestratorApi, TraceQuery } from '../engine/api.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { threadHeaps, type ThreadHeap } from '../runtimes/worker/live-threads.ts';

export interface StartedControl {
  url: string;
  token: string;
  stop(): Promise<void>;
}

const commandTypes = new Set(['kill', 'restart', 'stop', 'start', 'scale', 'toggle-fault', 'fault-add', 'fault-rm', 'set-weight', 'route-version', 'run-scenario', 'registry-fault', 'shutdown']);

export async function startControlServer(
  api: OrchestratorApi,
  listen: { host: string; port: number },
): Promise<StartedControl> {
  const token = randomBytes(24).toString('hex');
  const authorized = (req: IncomingMessage) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    const wanted = Buffer.from(`Bearer ${token}`);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  };
  const server = createServer((req, res) => {
    if (!authorized(req)) return send(res, 401, { error: 'missing or wrong control token' });
    void route(api, req, res).catch((error) => send(res, 500, { error: String(error?.message ?? error) }));
  });
  // A request Node cannot parse (unknown method, malformed header) gets a JSON answer like every other one.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') return socket.destroy();
    socket.end(rawAnswer(error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400, { error: `bad request (${error.code ?? error.message})` }), () =>
      socket.destroy(),
    );
  });
  // Node drops a CONNECT without a listener (the client sees a hang-up): answer it like any other request.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    const answer = authorized(req) ? rawAnswer(405, { error: 'CONNECT is not supported' }) : rawAnswer(401, { error: 'missing or wrong control token' });
    // Destroyed once written: a half-closed socket the client never closes would keep stop() waiting.
    socket.end(answer, () => socket.destroy());
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!authorized(req) || !req.url?.startsWith('/api/events')) {
      const answer = authorized(req)
        ? rawAnswer(404, { error: `no WebSocket at ${req.url}` }, req.method)
        : rawAnswer(401, { error: 'missing or wrong control token' }, req.method);
      socket.on('error', () => socket.destroy());
      socket.end(answer, () => socket.destroy());
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const unsubscribe = api.subscribe((update) => {
        // Drop updates for a client that cannot keep up rather than buffering without bound.
        if (ws.bufferedAmount < 4 * 1024 * 1024) ws.send(JSON.stringify(update));
      });
      ws.on('close', unsubscribe);
      ws.on('error', unsubscribe);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new MicroDevError('PORT_IN_USE', `port ${listen.port} (control API) is already in use`)
          : error,
      ),
    );
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${listen.host}:${port}`,
    token,
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function route(api: OrchestratorApi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // A path on our own origin: `//x` must neither throw (a 500) nor turn into host x with another path.
  const url = req.url?.startsWith('/') ? URL.parse(`http://control${req.url}`) : null;
  if (!url) return send(res, 400, { error: `bad request target ${JSON.stringify(req.url)}` });
  if (req.method === 'GET' && url.pathname === '/api/snapshot') return send(res, 200, api.snapshot());
  if (req.method === 'GET' && url.pathname === '/api/resources') return send(res, 200, await resources());
  if (req.method === 'GET' && url.pathname === '/api/logs') {
    const limit = Number(url.searchParams.get('limit') ?? 200);
    return send(res, 200, api.logs(url.searchParams.get('instance') ?? undefined, Number.isFinite(limit) ? limit : 200));
  }
  if (req.method === 'GET' && url.pathname === '/api/traces') return send(res, 200, await api.traces(traceQuery(url.searchParams)));
  if (req.method === 'GET' && url.pathname.startsWith('/api/traces/')) {
    const id = decodeURIComponent(url.pathname.slice('/api/traces/'.length));
    const trace = await api.trace(id);
    return trace ? send(res, 200, trace) : send(res, 404, { error: `no trace ${id} is kept (unknown, evicted, or a prefix that names more than one)` });
  }
  if (req.method === 'POST' && url.pathname === '/api/command') {
    let command: Command;
    let body: string;
    try {
      body = await readBody(req);
    } catch (error) {
      return send(res, error instanceof RangeError ? 413 : 400, { error: (error as Error).message });
    }
    try {
      command = JSON.parse(body) as Command;
    } catch {
      return send(res, 400, { error: 'body must be a JSON command' });
    }
    if (!command || typeof command !== 'object' || !commandTypes.has(command.type)) {
      return send(res, 400, { error: `unknown command ${JSON.stringify((command as { type?: unknown })?.type)}` });
    }
    return send(res, 200, await api.command(command));
  }
  send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
}

/** `?failed=1&slow=1&service=S&since=MS&until=MS&limit=N` -> TraceQuery (numbers that do not parse are ignored). */
function traceQuery(p: URLSearchParams): TraceQuery {
  const q: TraceQuery = {};
  const num = (k: string) => {
    const v = p.get(k);
    const n = v === null ? NaN : Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  if (p.get('failed') === '1') q.failed = true;
  if (p.get('slow') === '1') q.slow = true;
  const service = p.get('service');
  if (service) q.service = service;
  const since = num('since');
  if (since !== undefined) q.sinceMs = since;
  const until = num('until');
  if (until !== undefined) q.untilMs = until;
  const limit = num('limit');
  if (limit !== undefined) q.limit = Math.max(1, Math.min(1000, Math.floor(limit)));
  return q;
}

/**
 * What this process holds (for soaks: a leak shows as growth): memory (the process's, and V8's heap of
 * micro-dev's own thread), the heap of every instance thread, and live handles by type (Timeout...).
 */
async function resources(): Promise<{ pid: number; memory: NodeJS.MemoryUsage; heap: Omit<ThreadHeap, 'name' | 'threadId'>; threads: ThreadHeap[]; handles: Record<string, number> }> {
  const handles: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) handles[type] = (handles[type] ?? 0) + 1;
  const s = getHeapStatistics();
  const heap = { heapTotal: s.total_heap_size, heapUsed: s.used_heap_size, physical: s.total_physical_size, malloced: s.malloced_memory, external: s.external_memory };
  return { pid: process.pid, memory: process.memoryUsage(), heap, threads: await threadHeaps(), handles };
}

function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Answered with 413 while the rest is drained: destroying the request would reset the connection
        // before the client could read why.
        reject(new RangeError(`body larger than ${limit} bytes`));
        req.removeAllListeners('data');
        req.resume();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A whole HTTP/1.1 response for a bare socket (parse errors, refused upgrades), closing the connection. */
function rawAnswer(status: number, body: unknown, method?: string): string {
  const text = JSON.stringify(body);
  const head = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n`;
  return method === 'HEAD' ? head : head + text;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
