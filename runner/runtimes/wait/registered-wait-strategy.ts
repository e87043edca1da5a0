/**
 * RegisteredWaitStrategy: ready when the instance has registered with the registry and its TTL check
 * passes, as seen through the Consul agent HTTP API:
 *
 *   GET /v1/agent/services  -> { "<ID>": {ID, Service, Address, Port} }   ID ends with "-<serverId>"
 *   GET /v1/agent/checks    -> { "service:<ID>": {Status: "passing"} }    (no check at all counts as passing)
 *
 * The id is the only thing that tells this generation from the previous one during a blue-green reload
 * (both register the same advertise address, the instance's inbound link), so it is the rule. A service
 * that registered under another id is named in the timeout error with the rule it broke.
 * Resolves with the registered Address:Port and the ID.
 *
 * A registry that is not Consul (etcd) gives a lister instead (withLister): what it lists is registered, and
 * live (an etcd key exists only while its lease does).
 */
import { request } from 'node:http';
import { AbstractWaitStrategy } from './abstract-wait-strategy.ts';
import { pollUntil } from './poll-until.ts';
import type { WaitResult, WaitTarget } from './wait-strategy.ts';

export interface AgentService {
  ID: string;
  Service: string;
  Address: string;
  Port: number;
}
export interface AgentCheck {
  CheckID: string;
  Status: string;
  ServiceID?: string;
}

/** One registered node, as a registry that is not Consul lists it. */
export interface ListedNode {
  id: string;
  address: string;
}
export type RegistryLister = () => Promise<ListedNode[]>;

/**
 * The agent's two listings read in process (the embedded registry runs in micro-dev's own thread): the same
 * answers as GET /v1/agent/services and /v1/agent/checks without rendering and parsing them. A thousand
 * instances' listing is 3.4 MB of JSON (every instance's encoded endpoints), and readiness asking for it
 * ten times a second during a thousand starts kept micro-dev's thread busy until the waits timed out.
 */
export type AgentCatalogReader = () => { services: AgentService[]; checks: AgentCheck[] };

export class RegisteredWaitStrategy extends AbstractWaitStrategy {
  /** What the last poll saw, spelled out only for the timeout message (a scan of the listing each). */
  #last: () => string = () => '';
  #token: string | undefined;
  #lister: RegistryLister | undefined;
  #catalog: AgentCatalogReader | undefined;

  /** Reads the agent listings in process instead of over HTTP (the embedded registry). */
  withCatalog(catalog: AgentCatalogReader | undefined): this {
    this.#catalog = catalog;
    return this;
  }

  /** Reads the registry through this instead of the Consul agent API (etcd). */
  withLister(lister: RegistryLister | undefined): this {
    this.#lister = lister;
    return this;
  }

  /** ACL token for a registry that wants one (sent as X-Consul-Token). */
  withToken(token: string | undefined): this {
    this.#token = token;
    return this;
  }

  describe(): string {
    return `registered and passing in the registry (deadline ${this.deadlineMs}ms)`;
  }

  protected timeoutMessage(target: WaitTarget): string {
    const last = this.#last();
    return `${target.instance.instance} not registered and passing after ${this.deadlineMs} ms${last ? ` (${last})` : ''}`;
  }

  protected async run(target: WaitTarget, signal: AbortSignal): Promise<WaitResult> {
    const base = /^https?:\/\//.test(target.registryAddress) ? target.registryAddress : `http://${target.registryAddress}`;
    const suffix = `-${target.serverId}`;
    this.#last = () => '';
    const lister = this.#lister;
    if (lister) {
      return pollUntil(this.clock, signal, async () => {
        try {
          const nodes = await lister();
          const node = nodes.find((n) => n.id.endsWith(suffix));
          if (node) return { address: node.address, registryId: node.id };
          this.#last = () => notFound(nodes.map((n) => ({ ID: n.id, Service: '', Address: n.address.slice(0, n.address.lastIndexOf(':')), Port: Number(n.address.slice(n.address.lastIndexOf(':') + 1)) })), suffix, target);
        } catch (error) {
          if (signal.aborted) throw error;
          this.#last = () => `registry at ${target.registryAddress} not answering: ${describeError(error)}`;
        }
        return undefined;
      });
    }
    return pollUntil(this.clock, signal, async () => {
      try {
        const catalog = this.#catalog;
        const local = catalog ? sharedLocal(catalog) : undefined;
        const services = local ? local.services : await sharedGet(`${base}/v1/agent/services`, signal, this.#token, indexServices);
        const service = services.bySuffix.get(suffix);
        if (!service) {
          this.#last = () => notFound(services.all, suffix, target);
          return undefined;
        }
        const checks = local ? local.checks : await sharedGet(`${base}/v1/agent/checks`, signal, this.#token, indexChecks);
        const failing = (checks.get(service.ID) ?? []).find((c) => c.Status !== 'passing');
        if (failing) {
          this.#last = () => `registered as ${service.ID}, check ${failing.CheckID} is ${failing.Status}`;
          return undefined;
        }
        return { address: `${service.Address}:${service.Port}`, registryId: service.ID };
      } catch (error) {
        if (signal.aborted) throw error;
        this.#last = () => `registry at ${target.registryAddress} not answering: ${describeError(error)}`;
        return undefined;
      }
    });
  }
}

/** Why no registered service is this instance's: the rule, and what is registered at its address instead. */
function notFound(services: AgentService[], suffix: string, target: WaitTarget): string {
  const rule = `no service with id *${suffix} in the registry at ${target.registryAddress}`;
  const there = target.advertise ? services.filter((s) => `${s.Address}:${s.Port}` === target.advertise) : [];
  if (there.length === 0) return rule;
  return `${rule}; its address ${target.advertise} is registered as ${there.map((s) => `"${s.ID}"`).join(', ')}: the id must be <service name>-<MICRO_SERVER_ID> (docs/writing-a-service.md)`;
}

/**
 * Every waiting instance polls the same two listings, each as long as the topology: a thousand instances
 * starting at once made that a million entries per poll round, and the registry (on micro-dev's thread)
 * stopped answering heartbeats (issue 13). Waiters of one registry share one request per SHARE_MS; each
 * still stops waiting on its own signal.
 */
const SHARE_MS = 100;
const SHARED_TIMEOUT_MS = 5_000;
const shared = new Map<string, { at: number; body: Promise<unknown> }>();

/**
 * The services listing indexed once per shared body by every `-...` suffix of an ID (what a waiter looks
 * for): a thousand waiters each scanning a thousand entries per poll was most of startup's CPU.
 */
interface ServiceIndex {
  all: AgentService[];
  bySuffix: Map<string, AgentService>;
}
function indexServices(listing: Record<string, AgentService>): ServiceIndex {
  const all = Object.values(listing);
  const bySuffix = new Map<string, AgentService>();
  for (const s of all) {
    for (let at = s.ID.indexOf('-'); at >= 0; at = s.ID.indexOf('-', at + 1)) {
      const suffix = s.ID.slice(at);
      if (!bySuffix.has(suffix)) bySuffix.set(suffix, s);
    }
  }
  return { all, bySuffix };
}

/** The checks listing by the service they belong to (CheckID `service:<ID>` or ServiceID). */
function indexChecks(listing: Record<string, AgentCheck>): Map<string, AgentCheck[]> {
  const byService = new Map<string, AgentCheck[]>();
  const add = (id: string, c: AgentCheck) => {
    const list = byService.get(id);
    if (!list) byService.set(id, [c]);
    else if (!list.includes(c)) list.push(c);
  };
  for (const c of Object.values(listing)) {
    if (c.CheckID.startsWith('service:')) add(c.CheckID.slice('service:'.length), c);
    if (c.ServiceID) add(c.ServiceID, c);
  }
  return byService;
}

const local = new WeakMap<AgentCatalogReader, { at: number; services: ServiceIndex; checks: Map<string, AgentCheck[]> }>();

/** An in-process catalog read and indexed at most once per SHARE_MS, for every waiter. */
function sharedLocal(reader: AgentCatalogReader): { services: ServiceIndex; checks: Map<string, AgentCheck[]> } {
  const now = Date.now();
  let entry = local.get(reader);
  if (!entry || now - entry.at > SHARE_MS) {
    const { services, checks } = reader();
    const byId: Record<string, AgentService> = {};
    for (const s of services) byId[s.ID] = s;
    const checksById: Record<string, AgentCheck> = {};
    for (const c of checks) checksById[c.CheckID] = c;
    entry = { at: now, services: indexServices(byId), checks: indexChecks(checksById) };
    local.set(reader, entry);
  }
  return entry;
}

function sharedGet<L, T>(url: string, signal: AbortSignal, token: string | undefined, index: (listing: L) => T): Promise<T> {
  const key = `${url}\u0000${token ?? ''}`;
  const now = Date.now();
  let entry = shared.get(key);
  if (!entry || now - entry.at > SHARE_MS) {
    entry = { at: now, body: getJson<L>(url, AbortSignal.timeout(SHARED_TIMEOUT_MS), token).then(index) };
    entry.body.catch(() => undefined);
    shared.set(key, entry);
    if (shared.size > 100) shared.delete(shared.keys().next().value!);
  }
  const body = entry.body as Promise<T>;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    body.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function getJson<T>(url: string, signal: AbortSignal, token: string | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const headers = token ? { 'x-consul-token': token } : {};
    const req = request(url, { agent: false, signal, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode} ${body.slice(0, 100)}`));
        try {
          resolve(JSON.parse(body) as T);
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function describeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ?? (e instanceof Error ? e.message : String(error));
}
