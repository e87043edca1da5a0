/**
 * GatewayBackend over the service kit: one ConsulRegistryClient, one NodeCache, one Selector (the configured
 * strategy and ejectMs) shared by mucp calls (kit Client) and HTTP proxying, so a node that refused an
 * rpc call is also skipped by the http handler and vice versa.
 *
 * Random request paths must not create a registry watch each: lookups go through a service-name index
 * (catalog listing, refreshed at most every `indexTtlMs`, or sooner on a miss) and only names the registry
 * knows reach the NodeCache. The caller owns the backend and must close() it.
 */
import { request } from 'undici';
import type { CallTracer } from '../../services/kit/call-tracer.ts';
import { Client, type ClientOptions } from '../../services/kit/client.ts';
import { NodeCache } from '../../services/kit/node-cache.ts';
import { createKitRegistry, type RegistryKind } from '../../services/kit/kit-registry.ts';
import { Selector } from '../../services/kit/selector.ts';
import type { RegistryNode, ServiceInfo } from '../../services/kit/types.ts';
import type { BalanceStrategy } from '../config/topology.ts';
import type { BackendCallOptions, GatewayBackend, PickedNode } from './gateway-backend.ts';
import { VersionRoutes } from './version-routes.ts';

export interface KitBackendOptions {
  registryAddress: string;
  /** The registry's API (default consul; etcd: registryAddress lists the members, comma separated). */
  registryKind?: RegistryKind;
  brokerAddress?: string;
  balance?: BalanceStrategy;
  ejectMs?: number;
  timeoutMs?: number;
  retries?: number;
  /** Max age of the service-name index on a hit (default 1000 ms); a miss refreshes after 100 ms. */
  indexTtlMs?: number;
  /** Records calls, node selections and retries as spans (tracing on). */
  tracer?: CallTracer;
  /** Which version each service is routed to (go-micro's selector.FilterVersion); default: every version. */
  versions?: VersionRoutes;
  /** Dials nodes in process where it can (the fault plane's links: FaultPlane.openLocal); TCP otherwise. */
  connect?: ClientOptions['connect'];
}

/** How long a request for a name the gateway has never seen waits for the registry before it gives up. */
const REFRESH_WAIT_MS = 1_000;

/** Rejects when `promise` has not settled within ms (the promise itself goes on). */
function orTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export function createKitBackend(options: KitBackendOptions): GatewayBackend {
  const registry = createKitRegistry(options.registryKind ?? 'consul', options.registryAddress);
  const cache = new NodeCache(registry);
  const selector = new Selector({ strategy: options.balance ?? 'random', ejectMs: options.ejectMs ?? 10_000 });
  const client = new Client({
    cache,
    selector,
    timeoutMs: options.timeoutMs ?? 5_000,
    retries: options.retries ?? 1,
    ...(options.tracer ? { tracer: options.tracer } : {}),
    ...(options.connect ? { connect: options.connect } : {}),
  });
  const ttl = options.indexTtlMs ?? 1_000;
  const routes = options.versions ?? new VersionRoutes();
  // The routed version of `service`, as a filter over lookup results and as the kit client's call option.
  const routed = (service: string, infos: ServiceInfo[]): ServiceInfo[] => {
    const version = routes.get(service);
    return version === undefined ? infos : infos.filter((s) => s.version === version);
  };
  const withVersion = (service: string, o: BackendCallOptions) => {
    const version = routes.get(service);
    return version === undefined ? o : { ...o, version };
  };
  let names = new Set<string>();
  let fetchedAt = 0;
  let refreshing: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    refreshing ??= registry
      .listServices()
      .then((list) => {
        names = new Set(list);
        fetchedAt = Date.now();
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };

  // A registry that does not answer (an outage, a partitioned link) must not hold requests up: a name we
  // know is served from the cache at once and revalidated in the background; only an unknown name waits
  // for the registry, and then at most REFRESH_WAIT_MS.
  const revalidate = () => void refresh().catch(() => undefined);
  const known = async (service: string): Promise<boolean> => {
    const age = Date.now() - fetchedAt;
    if (names.has(service)) {
      if (age >= ttl) revalidate();
      return true;
    }
    if (age >= 100 || fetchedAt === 0) {
      try {
        await orTimeout(refresh(), REFRESH_WAIT_MS);
      } catch {
        // registry unreachable: fall through to the cache, which serves the last known nodes
        return cache.peek(service) !== undefined;
      }
    }
    return names.has(service);
  };

  return {
    async lookup(service: string, lookupOptions?: { allVersions?: boolean }): Promise<ServiceInfo[]> {
      const filter = (infos: ServiceInfo[]) => (lookupOptions?.allVersions ? infos : routed(service, infos));
      // Hot path: a known name with a watched cache entry needs no registry round trip.
      if (names.has(service) && Date.now() - fetchedAt < ttl) {
        const cached = cache.peek(service);
        if (cached) return filter(cached);
      }
      if (service === '' || !(await known(service))) return [];
      try {
        return filter(await cache.get(service));
      } catch {
        return [];
      }
    },
    cached(service: string): ServiceInfo[] | undefined {
      // the same answer lookup() gives (its routed version only), without waiting
      const hit = names.has(service) && Date.now() - fetchedAt < ttl ? cache.peek(service) : undefined;
      return hit && routed(service, hit);
    },
    async listServices(): Promise<string[]> {
      if (Date.now() - fetchedAt >= ttl) {
        if (names.size > 0) revalidate();
        else await orTimeout(refresh(), REFRESH_WAIT_MS).catch(() => undefined);
      }
      return [...names].sort();
    },
    async callRaw(service: string, endpoint: string, body: Buffer | string, o: BackendCallOptions): Promise<Buffer> {
      const res = await client.callRaw(service, endpoint, body, withVersion(service, o));
      return res.body;
    },
    callWithHeaders(service: string, endpoint: string, body: Buffer, o: BackendCallOptions) {
      return client.callRaw(service, endpoint, body, withVersion(service, o));
    },
    pick(service: string, nodes: readonly RegistryNode[], exclude?: ReadonlySet<string>): PickedNode | undefined {
      const fresh = exclude ? nodes.filter((n) => !exclude.has(n.id)) : nodes;
      const node = selector.select(service, fresh);
      if (!node) return undefined;
      selector.begin(node);
      let finished = false;
      return {
        node,
        done(outcome) {
          if (finished) return;
          finished = true;
          selector.end(node);
          if (outcome === 'refused') selector.eject(node);
        },
      };
    },
    async publish(topic: string, body: Buffer, headers: Record<string, string>): Promise<number> {
      if (!options.brokerAddress) throw new Error(`no broker configured: cannot publish to ${topic}`);
      return publishToBroker(options.brokerAddress, topic, body, headers);
    },
    async close(): Promise<void> {
      cache.close();
      await Promise.allSettled([client.close(), registry.close()]);
    },
  };
}

/** POSTs to a broker's `/publish?topic=T`; resolves with the number of subscribers that got it. */
export async function publishToBroker(
  brokerAddress: string,
  topic: string,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<number> {
  const base = brokerAddress.includes('://') ? brokerAddress : `http://${brokerAddress}`;
  const res = await request(`${base}/publish?topic=${encodeURIComponent(topic)}`, {
    method: 'POST',
    headers: lowerKeys({ 'content-type': 'application/octet-stream', ...headers }),
    body,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`broker ${brokerAddress} answered ${res.statusCode} for topic ${topic}: ${text.trim()}`);
  try {
    const n = (JSON.parse(text) as { delivered?: unknown }).delivered;
    return typeof n === 'number' ? n : 0;
  } catch {
    return 0;
  }
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    const lk = k.toLowerCase();
    if (lk === 'host' || lk === 'content-length' || lk === 'connection' || lk === 'transfer-encoding') continue;
    out[lk] = v;
  }
  return out;
}
