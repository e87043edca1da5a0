/**
 * `GET /broker?topic=t[&queue=q]` over WebSocket (the early `micro proxy`): the proxy subscribes on the
 * client's behalf, as a go-micro HTTP broker subscriber would, and sends each message body as one
 * WebSocket message.
 *
 *   ws client <── message body ── proxy /_sub?id=<node id> <── broker POST {"Header","Body"}
 *                                   └─ registry node go.micro.http.broker (broker=http, topic, queue),
 *                                      TTL passed every ttlMs/3 while the socket is open, deregistered on close
 *
 * One instance per proxy; close() ends every socket and deregisters every node.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConsulRegistryClient } from '../../services/kit/registry-client.ts';
import { BROKER_SERVICE } from '../broker/deliver-message.ts';
import { readBody, send, splitUrl } from '../gateway/http-io.ts';

interface Sub {
  ws: WebSocket;
  topic: string;
  timer: NodeJS.Timeout;
}

export class BrokerWebSocket {
  readonly #registry: ConsulRegistryClient;
  readonly #address: () => string;
  readonly #ttlMs: number;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #subs = new Map<string, Sub>();

  /** `address` is the proxy's host:port (known once listening). */
  constructor(registry: ConsulRegistryClient, address: () => string, options: { ttlMs?: number } = {}) {
    this.#registry = registry;
    this.#address = address;
    this.#ttlMs = options.ttlMs ?? 30_000;
  }

  /** Handles an upgrade of `/broker`; answers 400 `Topic not specified` without a topic. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const params = new URLSearchParams(splitUrl(req.url ?? '').query);
    const topic = params.get('topic') ?? '';
    const queue = params.get('queue') ?? '';
    if (topic === '') {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 20\r\nConnection: close\r\n\r\nTopic not specified\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => void this.#subscribe(ws, topic, queue));
  }

  async #subscribe(ws: WebSocket, topic: string, queue: string): Promise<void> {
    const id = `${BROKER_SERVICE}-${randomUUID()}`;
    const node = {
      id,
      address: this.#address(),
      metadata: { secure: 'false', broker: 'http', topic, ...(queue ? { queue } : {}) },
      service: BROKER_SERVICE,
      version: 'latest',
      endpoints: [],
    };
    const beat = (): void => {
      this.#registry.passTtl(`service:${id}`).catch(() => undefined);
    };
    const timer = setInterval(beat, Math.max(100, Math.floor(this.#ttlMs / 3)));
    timer.unref();
    this.#subs.set(id, { ws, topic, timer });
    ws.on('close', () => void this.#drop(id));
    ws.on('error', () => void this.#drop(id));
    try {
      await this.#registry.register(node, this.#ttlMs);
      beat();
    } catch (e) {
      ws.close(1011, `subscribe failed: ${(e as Error).message}`.slice(0, 120));
    }
  }

  async #drop(id: string): Promise<void> {
    const sub = this.#subs.get(id);
    if (!sub) return;
    this.#subs.delete(id);
    clearInterval(sub.timer);
    await this.#registry.deregister(id).catch(() => undefined);
  }

  /** Serves `POST /_sub?id=<node id>` deliveries from the broker. */
  async deliver(req: IncomingMessage, res: ServerResponse, query: string): Promise<void> {
    const sub = this.#subs.get(new URLSearchParams(query).get('id') ?? '');
    let msg: { Header?: Record<string, string>; Body?: string };
    try {
      msg = JSON.parse((await readBody(req, 10 * 1024 * 1024)).toString('utf8')) as typeof msg;
    } catch (e) {
      return send(res, 400, `${(e as Error).message}\n`);
    }
    if (!sub || (msg.Header?.[':topic'] ?? '') !== sub.topic) return send(res, 404, 'subscriber not found\n');
    sub.ws.send(Buffer.from(msg.Body ?? '', 'base64'));
    return send(res, 200, '');
  }

  async close(): Promise<void> {
    for (const sub of this.#subs.values()) sub.ws.terminate();
    await Promise.all([...this.#subs.keys()].map((id) => this.#drop(id)));
    this.#wss.close();
  }
}
