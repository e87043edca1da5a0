/**
 * PeerNode: one peer as another peer replicates to it (Eureka's PeerEurekaNode + its batching
 * TaskDispatcher + ReplicationTaskProcessor, in one small class).
 *
 *   task(action, app, id) --> pending (one per action/app/id: a newer task replaces an older one)
 *        --> after maxBatchingDelay, at most maxBatchingSize --> POST <peer>/peerreplication/batch/
 *            (x-netflix-discovery-replication: true)
 *        network error / timeout / 503 --> the same tasks again after a delay (those not replaced meanwhile)
 *        other HTTP error            --> the batch is dropped (best effort)
 *        per item: handleFailure(status) (a 404 on a Heartbeat asks for a Register)
 *   a task older than maxTimeForReplication is dropped, never sent (isLate)
 *
 * Delays are in model time (the lease clock); `timeScale` turns them into wall time for the HTTP timeouts.
 */
import { Agent, request } from 'node:http';
import type { Clock, Timer } from '../../clock/clock.ts';
import { REPLICATION_HEADER, type ReplicationItem, type ReplicationListResponse } from './replication-protocol.ts';

export interface PeerNodeOptions {
  /** Model ms a task waits for others to join its batch (Eureka: maxBatchingDelay 500 ms). */
  maxBatchingDelayMs: number;
  /** Eureka: maxBatchingSize 250. */
  maxBatchingSize: number;
  /** Model ms before a batch that met a network error is sent again (Eureka: 100 ms). */
  networkFailureRetryMs: number;
  /** Model ms before a batch answered 503 is sent again (Eureka: serverUnavailableSleepTimeMs 1000). */
  congestionRetryDelayMs: number;
  /** Model ms a task stays worth sending (Eureka: maxTimeForReplication 30 s). */
  maxTimeForReplicationMs: number;
  /** Wall ms a batch may take before it counts as a network error (Eureka: peerNodeReadTimeoutMs 200). */
  requestTimeoutMs: number;
  /** Wall ms: never retry faster than this, whatever the time scale. */
  minRetryWallMs: number;
  timeScale: number;
}

export const DEFAULT_PEER_NODE_OPTIONS: Omit<PeerNodeOptions, 'timeScale'> = {
  maxBatchingDelayMs: 500,
  maxBatchingSize: 250,
  networkFailureRetryMs: 100,
  congestionRetryDelayMs: 1000,
  maxTimeForReplicationMs: 30_000,
  requestTimeoutMs: 500,
  minRetryWallMs: 25,
};

interface Task {
  key: string;
  item: ReplicationItem;
  submittedAt: number;
}

export interface PeerNodeStats {
  /** Items the peer answered 2xx. */
  replicated: number;
  /** Tasks dropped because they were older than maxTimeForReplication. */
  expired: number;
  /** Batches that met a network error (retried). */
  networkErrors: number;
  /** Items the peer answered with an error (after handleFailure). */
  failed: number;
}

export class PeerNode {
  readonly name: string;
  /** "host:port" the batches go to (a fault-plane link in front of the peer's Eureka face, under `up`). */
  readonly address: string;
  readonly stats: PeerNodeStats = { replicated: 0, expired: 0, networkErrors: 0, failed: 0 };
  readonly #clock: Clock;
  readonly #o: PeerNodeOptions;
  readonly #onFailure: (item: ReplicationItem, status: number) => void;
  readonly #pending = new Map<string, Task>();
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 });
  #timer: Timer | undefined;
  #inFlight = false;
  #stopped = false;

  constructor(
    name: string,
    address: string,
    clock: Clock,
    options: PeerNodeOptions,
    onFailure: (item: ReplicationItem, status: number) => void,
  ) {
    this.name = name;
    this.address = address;
    this.#clock = clock;
    this.#o = options;
    this.#onFailure = onFailure;
  }

  /** Queues one replication (replacing a pending one for the same action and instance). */
  submit(item: ReplicationItem): void {
    if (this.#stopped) return;
    const key = `${item.action}#${item.appName}/${item.id}`;
    this.#pending.delete(key);
    this.#pending.set(key, { key, item, submittedAt: this.#clock.now() });
    this.#schedule(this.#pending.size >= this.#o.maxBatchingSize ? 0 : this.#o.maxBatchingDelayMs);
  }

  get pending(): number {
    return this.#pending.size;
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#pending.clear();
    this.#agent.destroy();
  }

  #schedule(modelMs: number): void {
    if (this.#timer || this.#inFlight || this.#stopped) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, modelMs);
  }

  #retryIn(modelMs: number): number {
    return Math.max(modelMs, this.#o.minRetryWallMs / this.#o.timeScale);
  }

  async #flush(): Promise<void> {
    if (this.#inFlight || this.#stopped) return;
    const now = this.#clock.now();
    const batch: Task[] = [];
    for (const task of this.#pending.values()) {
      if (now - task.submittedAt > this.#o.maxTimeForReplicationMs) {
        this.#pending.delete(task.key);
        this.stats.expired++;
        continue;
      }
      if (batch.length < this.#o.maxBatchingSize) batch.push(task);
    }
    for (const task of batch) this.#pending.delete(task.key);
    if (batch.length === 0) return;
    this.#inFlight = true;
    let retryMs: number | undefined;
    try {
      const reply = await this.#post({ replicationList: batch.map((t) => t.item) });
      if (reply.status === 503) retryMs = this.#o.congestionRetryDelayMs;
      else if (reply.status >= 200 && reply.status < 300 && reply.body) this.#handle(batch, reply.body);
      else this.stats.failed += batch.length;
    } catch {
      this.stats.networkErrors++;
      retryMs = this.#o.networkFailureRetryMs;
    } finally {
      this.#inFlight = false;
    }
    if (this.#stopped) return;
    if (retryMs !== undefined) {
      // Back in the queue unless a newer task for the same instance and action came in meanwhile.
      for (const task of batch) if (!this.#pending.has(task.key)) this.#pending.set(task.key, task);
      this.#schedule(this.#retryIn(retryMs));
    } else if (this.#pending.size) {
      this.#schedule(this.#pending.size >= this.#o.maxBatchingSize ? 0 : this.#o.maxBatchingDelayMs);
    }
  }

  #handle(batch: Task[], body: ReplicationListResponse): void {
    const list = body.responseList ?? [];
    if (list.length !== batch.length) {
      this.stats.failed += batch.length;
      return;
    }
    batch.forEach((task, i) => {
      const status = Number(list[i]?.statusCode);
      if (status >= 200 && status < 300) this.stats.replicated++;
      else {
        this.stats.failed++;
        this.#onFailure(task.item, status);
      }
    });
  }

  #post(body: { replicationList: ReplicationItem[] }): Promise<{ status: number; body?: ReplicationListResponse }> {
    const payload = Buffer.from(JSON.stringify(body));
    const [host, port] = splitHostPort(this.address);
    return new Promise((resolve, reject) => {
      // A timer of our own: the request `timeout` option leaves a listener on a kept-alive socket each time.
      const timer = setTimeout(() => req.destroy(new Error(`peer ${this.name} did not answer within ${this.#o.requestTimeoutMs} ms`)), this.#o.requestTimeoutMs);
      const fail = (e: Error) => {
        clearTimeout(timer);
        reject(e);
      };
      const req = request(
        {
          host,
          port,
          method: 'POST',
          path: '/eureka/v2/peerreplication/batch/',
          agent: this.#agent,
          headers: {
            'Content-Type': 'application/json',
            Accept: 'application/json',
            'Content-Length': String(payload.length),
            [REPLICATION_HEADER]: 'true',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', fail);
          res.on('end', () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: ReplicationListResponse | undefined;
            try {
              parsed = text ? (JSON.parse(text) as ReplicationListResponse) : undefined;
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, ...(parsed ? { body: parsed } : {}) });
          });
        },
      );
      req.on('error', fail);
      req.end(payload);
    });
  }
}

function splitHostPort(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}
