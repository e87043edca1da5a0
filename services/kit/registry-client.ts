/**
 * A Consul HTTP API client that behaves like go-micro v1's consul registry (registry.md §2.2):
 *
 *   register   PUT /v1/agent/service/register   (tags t-/e-/v-, Meta, TTL check, DCSA = TTL+5s, min 1m5s)
 *   passTtl    PUT /v1/agent/check/pass/<id>?note=
 *   deregister PUT /v1/agent/service/deregister/<id>
 *   getService GET /v1/health/service/<name>?stale=[&index=N&wait=Xms]   (drops nodes with a critical check)
 *   listServices GET /v1/catalog/services
 *
 * Connections are pooled (keep-alive); close() releases them. Errors are RegistryRequestError naming the call,
 * the registry address and the HTTP status/body (or the connection error).
 */
import { HttpPool, type HttpPoolOptions } from './http-pool.ts';
import type { Endpoint, RegistryNode, ServiceInfo } from './types.ts';
import { decodeTags, encodeTags } from './registry-encoding.ts';
import { joinHostPort, splitHostPort } from './address.ts';

export class RegistryRequestError extends Error {
  /** HTTP status, or 0 when the registry could not be reached. */
  readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryRequestError';
    this.status = status;
  }
}

export interface RegisterNode extends RegistryNode {
  service: string;
  version: string;
  endpoints: Endpoint[];
}

export interface GetServiceOptions {
  /** Blocking query: return once the registry index exceeds this (0/undefined = plain read). */
  index?: number;
  /** Blocking wait in ms (Consul's default is 5 minutes). */
  waitMs?: number;
  signal?: AbortSignal;
}

interface HealthEntry {
  Node?: { Address?: string };
  Service?: { ID?: string; Service?: string; Tags?: string[] | null; Address?: string; Port?: number; Meta?: Record<string, string> | null };
  Checks?: { Status?: string }[] | null;
}

const META_KEY = /^[a-zA-Z0-9_-]{1,128}$/;

export class ConsulRegistryClient {
  readonly address: string;
  readonly #origin: string;
  readonly #token: string | undefined;
  readonly #pool: HttpPool;

  /** `connect`: HttpPoolOptions.connect (micro-dev's Unix socket for the registry link, unix-socket.ts). */
  constructor(address: string, options: { token?: string; connect?: HttpPoolOptions['connect'] } = {}) {
    this.#pool = new HttpPool({ keepAliveMs: 10_000, connectTimeoutMs: 5_000, ...(options.connect ? { connect: options.connect } : {}) });
    splitHostPort(address);
    this.address = address;
    this.#origin = `http://${address}`;
    this.#token = options.token;
  }

  /**
   * Registers one node as a Consul service with go-micro's tags and a TTL check of ttlMs. Does not pass the
   * check: go-micro (and Service.run) call passTtl right after.
   */
  async register(node: RegisterNode, ttlMs: number, options: { timeoutMs?: number } = {}): Promise<void> {
    const { host, port } = splitHostPort(node.address);
    const meta: Record<string, string> = {};
    // Consul rejects bad Meta keys/values with a 400; the tags still carry every key.
    for (const [k, v] of Object.entries(node.metadata)) {
      if (META_KEY.test(k) && !k.startsWith('consul-') && v.length <= 512) meta[k] = v;
    }
    const deregisterMs = Math.max(ttlMs + 5_000, 65_000);
    const body = {
      ID: node.id,
      Name: node.service,
      Tags: encodeTags(node.metadata, node.endpoints, node.version),
      Address: host,
      Port: port,
      Meta: meta,
      Check: { TTL: `${Math.max(1, Math.round(ttlMs))}ms`, DeregisterCriticalServiceAfter: `${deregisterMs}ms` },
    };
    await this.#call('register', 'PUT', '/v1/agent/service/register', JSON.stringify(body), undefined, options.timeoutMs);
  }

  async deregister(id: string): Promise<void> {
    await this.#call('deregister', 'PUT', `/v1/agent/service/deregister/${encodeURIComponent(id)}`);
  }

  /** KitRegistry: a node's heartbeat is a pass of its `service:<id>` TTL check. */
  heartbeat(node: Pick<RegisterNode, 'id'>, options: { timeoutMs?: number } = {}): Promise<void> {
    return this.passTtl(`service:${node.id}`, options);
  }

  deregisterNode(node: Pick<RegisterNode, 'id'>): Promise<void> {
    return this.deregister(node.id);
  }

  /**
   * `checkId` is `service:<node id>` for checks created by register(). `timeoutMs` (default 10 s) bounds a
   * heartbeat that gets no answer (a partitioned registry link), so the next beat is not held up behind it.
   */
  async passTtl(checkId: string, options: { timeoutMs?: number } = {}): Promise<void> {
    await this.#call('passTtl', 'PUT', `/v1/agent/check/pass/${encodeURIComponent(checkId)}?note=`, undefined, undefined, options.timeoutMs);
  }

  /**
   * Healthy nodes of `name`, grouped by version. With `index`, blocks until the registry changes or waitMs
   * passes. `index` in the result is X-Consul-Index (feed it back for the next blocking call).
   */
  async getService(name: string, options: GetServiceOptions = {}): Promise<{ services: ServiceInfo[]; index: number }> {
    let path = `/v1/health/service/${encodeURIComponent(name)}?stale=`;
    if (options.index && options.index > 0) {
      path += `&index=${options.index}`;
      if (options.waitMs !== undefined) path += `&wait=${Math.max(1, Math.round(options.waitMs))}ms`;
    }
    // A blocking query may legitimately take waitMs (+ up to wait/16 jitter); a plain read should be quick.
    const timeoutMs = options.index ? (options.waitMs ?? 300_000) * 1.1 + 1_000 : 10_000;
    const { text, headers } = await this.#call('getService', 'GET', path, undefined, options.signal, timeoutMs);
    const index = Number(headers['x-consul-index'] ?? 0) || 0;
    const entries = (text ? JSON.parse(text) : []) as HealthEntry[];
    return { services: decodeHealth(name, entries), index };
  }

  async listServices(): Promise<string[]> {
    const { text } = await this.#call('listServices', 'GET', '/v1/catalog/services');
    return Object.keys((text ? JSON.parse(text) : {}) as Record<string, unknown>).sort();
  }

  /** Closes pooled connections; in-flight calls (e.g. blocking queries) are aborted. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  async #call(
    op: string,
    method: 'GET' | 'PUT',
    path: string,
    body?: string,
    signal?: AbortSignal,
    timeoutMs = 10_000,
  ): Promise<{ text: string; headers: Record<string, string | string[] | undefined> }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#token) headers['x-consul-token'] = this.#token;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res;
    try {
      res = await this.#pool.request({ origin: this.#origin, path, method, headers, body, signal: combined });
    } catch (e) {
      if (signal?.aborted) throw signal.reason ?? e;
      const why = timeout.aborted ? `no answer within ${Math.round(timeoutMs)}ms` : (e as Error).message;
      throw new RegistryRequestError(`registry ${op} ${method} ${path} at ${this.address} failed: ${why}`, 0, { cause: e });
    }
    const text = res.body.toString('utf8');
    if (res.statusCode < 200 || res.statusCode > 299) {
      throw new RegistryRequestError(
        `registry ${op} ${method} ${path} at ${this.address} failed: ${res.statusCode} ${text.trim()}`,
        res.statusCode,
      );
    }
    return { text, headers: res.headers };
  }
}

/** Health entries -> ServiceInfo per version, skipping any node with a critical check (as go-micro does). */
export function decodeHealth(name: string, entries: HealthEntry[]): ServiceInfo[] {
  const byVersion = new Map<string, ServiceInfo>();
  for (const entry of entries ?? []) {
    const svc = entry.Service;
    if (!svc) continue;
    if ((entry.Checks ?? []).some((c) => c.Status === 'critical')) continue;
    const decoded = decodeTags(svc.Tags ?? []);
    const host = svc.Address || entry.Node?.Address || '';
    const node: RegistryNode = {
      id: svc.ID ?? '',
      address: joinHostPort(host, svc.Port ?? 0),
      metadata: decoded.metadata,
    };
    let info = byVersion.get(decoded.version);
    if (!info) {
      info = { name: svc.Service ?? name, version: decoded.version, metadata: {}, endpoints: decoded.endpoints, nodes: [] };
      byVersion.set(decoded.version, info);
    }
    info.nodes.push(node);
  }
  return [...byVersion.values()];
}
