/**
 * Control API: serves an OrchestratorApi on 127.0.0.1 so other commands (status, down, ui, call) can reach
 * a running `up`. Every request carries `Authorization: Bearer <token>` (from the run file), so a web page
 * in a browser on the same machine cannot drive it.
 *
 *   GET  /api/snapshot            -> Snapshot
 *   GET  /api/logs?instance=&limit= -> log lines
 *   POST /api/command  {Command}  -> CommandResult
 *   GET  /api/events   (WebSocket) -> {"snapshot":...} then {"event":...} per event
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Command, OrchestratorApi } from '../engine/api.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';

export interface StartedControl {
  url: string;
  token: string;
  stop(): Promise<void>;
}

const commandTypes = new Set(['kill', 'restart', 'stop', 'start', 'toggle-fault', 'run-scenario', 'shutdown']);

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
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!authorized(req) || !req.url?.startsWith('/api/events')) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
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
  const url = new URL(req.url ?? '/', 'http://control');
  if (req.method === 'GET' && url.pathname === '/api/snapshot') return send(res, 200, api.snapshot());
  if (req.method === 'GET' && url.pathname === '/api/logs') {
    const limit = Number(url.searchParams.get('limit') ?? 200);
    return send(res, 200, api.logs(url.searchParams.get('instance') ?? undefined, Number.isFinite(limit) ? limit : 200));
  }
  if (req.method === 'POST' && url.pathname === '/api/command') {
    let command: Command;
    try {
      command = JSON.parse(await readBody(req)) as Command;
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

function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
