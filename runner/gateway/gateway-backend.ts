/**
 * What the gateway's handlers need from the outside world, behind one narrow interface:
 *
 *   handlers ──lookup()──> NodeCache (registry, kept fresh by blocking queries)
 *            ──callRaw()─> kit Client (mucp over HTTP, retry once on conn error/408/500, ejection)
 *            ──pick()────> Selector (random | round_robin | least_outstanding, ejected nodes skipped)
 *            ──publish()─> broker (POST /publish?topic=T)
 *
 * Created by start-gateway / start-proxy / start-web-gateway, which own it and close() it on stop.
 */
import type { RegistryNode, ServiceInfo } from '../../services/kit/types.ts';

export interface BackendCallOptions {
  contentType: string;
  /** Per-call timeout in ms (408 `call timeout` when exceeded). */
  timeoutMs: number;
  /** Metadata sent as request headers (the inbound HTTP headers). */
  headers: Record<string, string>;
  /** host:port to call directly instead of selecting a node. */
  address?: string;
}

/** A node picked for an HTTP call; `done` must be called once, `refused` ejects the node. */
export interface PickedNode {
  node: RegistryNode;
  done(outcome: 'ok' | 'error' | 'refused'): void;
}

export interface GatewayBackend {
  /**
   * The service's versions with their passing nodes; [] when it is not registered. Only the routed version
   * (VersionRoutes) unless `allVersions` (the proxy's /registry view).
   */
  lookup(service: string, options?: { allVersions?: boolean }): Promise<ServiceInfo[]>;
  /** The lookup result when it is served from the watched cache without waiting (the hot path); else undefined. */
  cached?(service: string): ServiceInfo[] | undefined;
  /** Names of all registered services. */
  listServices(): Promise<string[]>;
  /** mucp call; resolves with the raw response body, rejects with a MicroError. */
  callRaw(service: string, endpoint: string, body: Buffer | string, options: BackendCallOptions): Promise<Buffer>;
  /** Like callRaw, also returning the node's response headers (lower-case names); for the mucp proxy. */
  callWithHeaders(service: string, endpoint: string, body: Buffer, options: BackendCallOptions): Promise<{ body: Buffer; headers: Record<string, string> }>;
  /** Picks one of `nodes` (load balancing + ejection) and tracks it until done(). */
  pick(service: string, nodes: readonly RegistryNode[], exclude?: ReadonlySet<string>): PickedNode | undefined;
  /** Publishes to the broker; rejects when there is no broker or it fails. Resolves with deliveries. */
  publish(topic: string, body: Buffer, headers: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

/** All nodes of all versions of a lookup result. */
export function allNodes(services: readonly ServiceInfo[]): RegistryNode[] {
  return services.flatMap((s) => s.nodes);
}

/** How many nodes a lookup result has over all its versions, without gathering them (once per gateway request). */
export function nodeCount(services: readonly ServiceInfo[]): number {
  let n = 0;
  for (const s of services) n += s.nodes.length;
  return n;
}
