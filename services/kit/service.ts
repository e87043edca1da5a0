/**
 * newService: a go-micro v1 style service (server + registry + heartbeat + client + broker) configured
 * from the MICRO_* environment.
 *
 *   run(): start server ──> register node (tags, TTL check) ──> passTtl ──> log `registered <name> <id> at <addr>`
 *          every interval: passTtl (on error: re-register; failures are logged, never fatal)
 *          stop trigger (SIGTERM/SIGINT | {type:'stop'} from parentPort | parent gone)
 *          ──> deregister ──> stop accepting ──> drain in-flight (<= 5 s) ──> close everything ──> run() resolves
 *
 * Options `http` turns it into a go-web style service: a plain HTTP handler, registered without mucp metadata.
 */
import type { RequestListener } from 'node:http';
import { isMainThread } from 'node:worker_threads';
import { networkInterfaces } from 'node:os';
import { Server, type Handler, type HandleOptions } from './server.ts';
import { Client } from './client.ts';
import { createKitRegistry, isRegistryKind, type KitRegistry, type RegistryKind } from './kit-registry.ts';
import type { RegisterNode } from './registry-client.ts';
import { readMicroEnv, type MicroEnv } from './micro-env.ts';
import { dialUnixSockets } from './unix-socket.ts';
import { installShutdownTriggers } from './shutdown-triggers.ts';
import { BROKER_SERVICE, BrokerSubscriptions, publish, SUB_PATH, type SubscriberHandler } from './broker.ts';
import { splitHostPort, joinHostPort, advertiseHost } from './address.ts';

export interface ServiceOptions {
  name: string;
  /** Default `latest`. */
  version?: string;
  /** Extra node metadata (merged over go-micro's defaults). */
  metadata?: Record<string, string>;
  /** go-web mode: serve plain HTTP with this listener instead of mucp. */
  http?: RequestListener;
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Where log lines go (default console.log). */
  log?: (line: string) => void;
  /** Drain bound for in-flight calls on stop (default 5000 ms). */
  drainMs?: number;
}

export interface Service {
  readonly name: string;
  /** `<name>-<MICRO_SERVER_ID>`. */
  readonly id: string;
  /** Registered address host:port ('' before start). */
  readonly address: string;
  /** Client for calling other services (created on first use; closed on stop). */
  readonly client: Client;
  handle<Req = unknown>(endpoint: string, fn: Handler<Req>, options?: HandleOptions): Service;
  subscribe<Msg = unknown>(topic: string, handler: SubscriberHandler<Msg>, options?: { queue?: string }): Service;
  /** Publishes via MICRO_BROKER_ADDRESS; rejects with MicroError when unset or the broker fails. */
  publish(topic: string, message: unknown, headers?: Record<string, string>): Promise<void>;
  /** Starts and registers; resolves with the registered address (registration retries in the background). */
  start(): Promise<string>;
  /** Graceful stop (deregister, drain, close). Idempotent; never rejects. */
  stop(): Promise<void>;
  /**
   * start() + wait for a stop trigger + stop(); resolves once everything is closed. Meant for a service's
   * main module (worker thread or process): in a process it listens to SIGTERM/SIGINT, the IPC channel and
   * a piped stdin. In-process users (tests, embedding) should call start()/stop() instead.
   */
  run(): Promise<void>;
}

const MUCP_METADATA = { broker: 'http', protocol: 'mucp', registry: 'consul', server: 'mucp', transport: 'http' };

export function newService(options: ServiceOptions): Service {
  return new MicroService(options);
}

class MicroService implements Service {
  readonly name: string;
  readonly id: string;
  readonly #opts: ServiceOptions;
  readonly #env: MicroEnv;
  readonly #server: Server;
  readonly #registry: KitRegistry;
  readonly #subs = new BrokerSubscriptions();
  readonly #log: (line: string) => void;
  #client: Client | undefined;
  #address = '';
  #registered = false;
  #timer: NodeJS.Timeout | undefined;
  #beat: Promise<void> | undefined;
  #failingSince: number | undefined;
  #lastFailureLog = 0;
  #stopping: Promise<void> | undefined;
  #stopped!: () => void;
  readonly #stoppedPromise = new Promise<void>((r) => (this.#stopped = r));

  constructor(options: ServiceOptions) {
    this.name = options.name;
    this.#opts = options;
    this.#env = readMicroEnv(options.env ?? process.env);
    const kind = this.#env.registry;
    if (!isRegistryKind(kind)) {
      throw new RangeError(`MICRO_REGISTRY=${kind} is not supported by the kit (consul, eureka, nacos or etcd)`);
    }
    this.id = `${options.name}-${this.#env.serverId}`;
    this.#log = options.log ?? ((l) => console.log(l));
    this.#server = new Server({
      address: this.#env.serverAddress,
      ...(options.http ? { http: options.http } : {}),
      ...(this.#env.serverSocket ? { socket: this.#env.serverSocket } : {}),
    });
    this.#registry = createKitRegistry(kind, this.#env.registryAddress, {
      ...(this.#env.registryToken ? { token: this.#env.registryToken } : {}),
      ...(this.#env.sockets.size > 0 ? { connect: dialUnixSockets(this.#env.sockets) } : {}),
    });
  }

  get address(): string {
    return this.#address;
  }

  get client(): Client {
    this.#client ??= new Client({
      registryAddress: this.#env.registryAddress,
      registry: this.#env.registry as RegistryKind,
      ...(this.#env.registryToken ? { registryToken: this.#env.registryToken } : {}),
      ...(this.#env.proxyAddress ? { proxyAddress: this.#env.proxyAddress } : {}),
      ...(this.#env.sockets.size > 0 ? { connect: dialUnixSockets(this.#env.sockets) } : {}),
      timeoutMs: this.#env.clientTimeoutMs,
      retries: this.#env.clientRetries,
    });
    return this.#client;
  }

  handle<Req = unknown>(endpoint: string, fn: Handler<Req>, options?: HandleOptions): Service {
    this.#server.handle(endpoint, fn, options);
    return this;
  }

  subscribe<Msg = unknown>(topic: string, handler: SubscriberHandler<Msg>, options?: { queue?: string }): Service {
    if (this.#subs.list().length === 0) this.#server.route(SUB_PATH, this.#subs.listener);
    this.#subs.add(topic, handler, options);
    return this;
  }

  async publish(topic: string, message: unknown, headers?: Record<string, string>): Promise<void> {
    if (!this.#env.brokerAddress) throw new RangeError(`publish ${topic}: MICRO_BROKER_ADDRESS is not set`);
    await publish(this.#env.brokerAddress, topic, message, headers);
  }

  async start(): Promise<string> {
    const bound = await this.#server.start();
    const { host, port } = splitHostPort(bound);
    this.#address = this.#env.advertise ?? joinHostPort(advertiseHost(host, networkInterfaces()), port);
    this.#beat = this.#heartbeat();
    await this.#beat;
    return this.#address;
  }

  async run(): Promise<void> {
    let external = false;
    const dispose = installShutdownTriggers((reason) => {
      this.#log(`stopping ${this.name} ${this.id} (${reason})`);
      external = reason !== 'message';
      void this.stop();
    });
    try {
      await this.start();
      await this.#stoppedPromise;
    } finally {
      await this.stop();
      dispose();
      // Last resort for a process told to go (signal, parent gone) but held open by a handle someone else
      // leaked; unref'd, so it only fires then. A programmatic stop() never exits the process.
      if (isMainThread && external) setTimeout(() => process.exit(process.exitCode ?? 0), 3_000).unref();
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  #nodes(): RegisterNode[] {
    const base = this.#opts.http ? {} : { ...MUCP_METADATA, registry: this.#env.registry };
    const nodes: RegisterNode[] = [
      {
        id: this.id,
        address: this.#address,
        metadata: { ...base, ...this.#opts.metadata, ...this.#env.serverMetadata },
        service: this.name,
        version: this.#env.serverVersion ?? this.#opts.version ?? 'latest',
        endpoints: this.#opts.http ? [] : this.#server.endpoints(),
      },
    ];
    for (const sub of this.#subs.list()) {
      nodes.push({
        id: sub.id,
        address: this.#address,
        metadata: { secure: 'false', broker: 'http', topic: sub.topic, ...(sub.queue ? { queue: sub.queue } : {}) },
        service: BROKER_SERVICE,
        version: 'latest',
        endpoints: [],
      });
    }
    return nodes;
  }

  /** One round: pass every TTL, re-registering what the registry does not know; then schedule the next. */
  async #heartbeat(): Promise<void> {
    if (this.#stopping) return;
    try {
      let registeredNow = false;
      // A beat that outlives its interval is worthless (the next one is due): bound each request by it.
      const bound = { timeoutMs: Math.min(10_000, Math.max(250, this.#env.registerIntervalMs)) };
      for (const node of this.#nodes()) {
        try {
          if (!this.#registered) throw new Error('not registered yet');
          await this.#registry.heartbeat(node, bound);
        } catch {
          await this.#registry.register(node, this.#env.registerTtlMs, bound);
          await this.#registry.heartbeat(node, bound);
          registeredNow = true;
        }
      }
      this.#registered = true;
      // Logged once every node (broker subscriptions included) is in: runtimes treat it as "discoverable".
      if (registeredNow) this.#log(`registered ${this.name} ${this.id} at ${this.#address}`);
      this.#failingSince = undefined;
    } catch (e) {
      // Short intervals (scaled time) would flood the log during an outage: first failure, then every 5 s.
      const now = Date.now();
      if (this.#failingSince === undefined || now - this.#lastFailureLog >= 5_000) {
        this.#failingSince ??= now;
        this.#lastFailureLog = now;
        const since = now - this.#failingSince > 0 ? ` (failing for ${now - this.#failingSince}ms)` : '';
        this.#log(`heartbeat ${this.name} ${this.id} to registry ${this.#env.registryAddress} failed: ${(e as Error).message}${since}`);
      }
    }
    if (this.#stopping) return;
    // Until the first registration succeeds, retry sooner than a (possibly long) interval.
    const next = this.#registered ? this.#env.registerIntervalMs : Math.min(this.#env.registerIntervalMs, 1_000);
    this.#timer = setTimeout(() => {
      this.#beat = this.#heartbeat();
    }, next);
    this.#timer.unref();
  }

  async #shutdown(): Promise<void> {
    clearTimeout(this.#timer);
    try {
      // A registration still in flight would otherwise land after the deregister.
      await withinMs(this.#beat ?? Promise.resolve(), 2_000);
      if (this.#registered) {
        await withinMs(Promise.allSettled(this.#nodes().map((n) => this.#registry.deregisterNode(n))), 2_000);
        this.#log(`deregistered ${this.name} ${this.id}`);
      }
      await this.#server.stop(this.#opts.drainMs ?? 5_000);
      await Promise.allSettled([this.#client?.close(), this.#registry.close()]);
    } finally {
      this.#stopped();
    }
  }
}

/** Waits for p at most ms (a stuck registry must not block shutdown); never rejects. */
function withinMs(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    p.then(
      () => (clearTimeout(t), resolve()),
      () => (clearTimeout(t), resolve()),
    );
  });
}
