/**
 * Nacos 1.x UDP push (reference/registry-wire.md §2.4): a `list` call with `udpPort` subscribes the caller;
 * every change of that service sends `{"type":"dom","data":"<ServiceInfo JSON>","lastRefTime":n}` (gzipped
 * from 1024 bytes), and a missing `push-ack` is retransmitted once after 10 s. Datagrams go to the TCP
 * peer's address (nacos-naming reports the host's first non-loopback IP as clientIP, unreachable for a
 * loopback-only dev setup). Subscribers that stop polling expire after 30 s.
 */
import { createSocket, type Socket } from 'node:dgram';
import { gzipSync } from 'node:zlib';

export interface Subscription {
  /** Catalog name of the service. */
  name: string;
  namespace: string;
  group: string;
  service: string;
  /** The `clusters` string as the client sent it (echoed in what is pushed). */
  clusters: string;
}

interface Subscriber extends Subscription {
  address: string;
  port: number;
  expiresAt: number;
}

const SUBSCRIBER_TTL_MS = 30_000;

export class NacosPush {
  readonly #socket: Socket;
  readonly #subs = new Map<string, Subscriber>();
  readonly #unacked = new Map<number, { timer: NodeJS.Timeout; retried: boolean }>();
  readonly #render: (s: Subscription) => string;
  readonly #ackTimeoutMs: number;
  #seq = 0;
  #closed = false;
  /** Pushes sent, acks received (for tests and the bench). */
  sent = 0;
  acked = 0;

  /** `ackTimeoutMs`: Nacos's ACK_TIMEOUT_NANOS, 10 s (wall clock: it is a network timeout). */
  constructor(render: (s: Subscription) => string, options: { ackTimeoutMs?: number } = {}) {
    this.#render = render;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.#socket = createSocket('udp4');
    this.#socket.on('message', (msg) => this.#onAck(msg));
    this.#socket.on('error', () => {
      // A push is best effort: an unreachable subscriber must not take the registry down.
    });
    this.#socket.bind(0, '0.0.0.0');
    this.#socket.unref();
  }

  subscribe(s: Subscription, address: string, port: number): void {
    const key = `${address}:${port}|${s.namespace}|${s.name}|${s.clusters}`;
    this.#subs.set(key, { ...s, address: address.replace(/^::ffff:/, ''), port, expiresAt: Date.now() + SUBSCRIBER_TTL_MS });
  }

  /** Pushes the current state of catalog service `name` to its subscribers. */
  changed(name: string): void {
    if (this.#closed) return;
    const now = Date.now();
    for (const [key, sub] of this.#subs) {
      if (sub.expiresAt < now) {
        this.#subs.delete(key);
        continue;
      }
      if (sub.name === name) this.#send(sub, this.#render(sub));
    }
  }

  /** Pushes still waiting for their ack. */
  get pendingAcks(): number {
    return this.#unacked.size;
  }

  close(): void {
    this.#closed = true;
    for (const p of this.#unacked.values()) clearTimeout(p.timer);
    this.#unacked.clear();
    try {
      this.#socket.close();
    } catch {
      // already closed
    }
  }

  #send(sub: Subscriber, data: string, lastRefTime = Date.now() * 1000 + (this.#seq++ % 1000), retried = false): void {
    const json = Buffer.from(JSON.stringify({ type: 'dom', data, lastRefTime }));
    const packet = json.length >= 1024 ? gzipSync(json) : json;
    this.sent++;
    this.#socket.send(packet, sub.port, sub.address);
    const timer = setTimeout(() => {
      const p = this.#unacked.get(lastRefTime);
      this.#unacked.delete(lastRefTime);
      if (p && !p.retried && !this.#closed) this.#send(sub, data, lastRefTime, true);
    }, this.#ackTimeoutMs);
    timer.unref();
    this.#unacked.set(lastRefTime, { timer, retried });
  }

  #onAck(msg: Buffer): void {
    try {
      const ack = JSON.parse(msg.toString('utf8')) as { type?: string; lastRefTime?: number };
      if (ack.type !== 'push-ack' || typeof ack.lastRefTime !== 'number') return;
      const p = this.#unacked.get(ack.lastRefTime);
      if (!p) return;
      clearTimeout(p.timer);
      this.#unacked.delete(ack.lastRefTime);
      this.acked++;
    } catch {
      // not an ack we understand
    }
  }
}
