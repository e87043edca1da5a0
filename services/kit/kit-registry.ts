/**
 * The kit's registry, whatever speaks it: go-micro's plugin names select the client (MICRO_REGISTRY).
 *
 *   consul  ConsulRegistryClient   Consul HTTP API: TTL check + pass, blocking health queries
 *   eureka  EurekaRegistryClient   Eureka REST (/eureka/apps): register, renew, cancel, GET /apps/{APP}
 *   nacos   NacosRegistryClient    Nacos naming v1 (/nacos/v1/ns): instance, beat, instance/list
 *   etcd    EtcdRegistryClient     go-micro's etcd registry: leased keys under /micro/registry/, get + watch
 *
 * Eureka and Nacos have no blocking reads: getService with an `index` polls until the answer changes or
 * `waitMs` passes, so NodeCache watches work on all three.
 */
import { ConsulRegistryClient, type GetServiceOptions, type RegisterNode } from './registry-client.ts';
import { EurekaRegistryClient } from './eureka-registry-client.ts';
import { NacosRegistryClient } from './nacos-registry-client.ts';
import type { HttpPoolOptions } from './http-pool.ts';
import type { ServiceInfo } from './types.ts';

export type RegistryKind = 'consul' | 'eureka' | 'nacos' | 'etcd';
export const RegistryKinds: readonly RegistryKind[] = ['consul', 'eureka', 'nacos', 'etcd'];

export interface KitRegistry {
  readonly address: string;
  /** Registers one node with a lease of ttlMs (a TTL check, Eureka's durationInSecs, Nacos's beat). */
  register(node: RegisterNode, ttlMs: number, options?: { timeoutMs?: number }): Promise<void>;
  /** Renews the node's lease; rejects when the registry does not know it (the caller registers again). */
  heartbeat(node: RegisterNode, options?: { timeoutMs?: number }): Promise<void>;
  deregisterNode(node: RegisterNode): Promise<void>;
  getService(name: string, options?: GetServiceOptions): Promise<{ services: ServiceInfo[]; index: number }>;
  listServices(): Promise<string[]>;
  close(): Promise<void>;
}

export function isRegistryKind(kind: string): kind is RegistryKind {
  return (RegistryKinds as readonly string[]).includes(kind);
}

/**
 * `connect`: opens a connection to host:port other than by TCP where it can (HttpPoolOptions.connect: a
 * Unix socket micro-dev named for the registry link, unix-socket.ts); the etcd client (gRPC) dials TCP.
 */
export function createKitRegistry(kind: RegistryKind, address: string, options: { token?: string; connect?: HttpPoolOptions['connect'] } = {}): KitRegistry {
  const connect = options.connect ? { connect: options.connect } : {};
  switch (kind) {
    case 'eureka':
      return new EurekaRegistryClient(address, connect);
    case 'nacos':
      return new NacosRegistryClient(address, connect);
    case 'etcd':
      return new LazyRegistry(address, async () => new (await import('./etcd-registry-client.ts')).EtcdRegistryClient(address));
    default:
      return new ConsulRegistryClient(address, options);
  }
}

/**
 * A registry client whose module loads on first use: the etcd client pulls in etcd3 and gRPC (~17 MB in
 * every instance thread that imports them, issue 13), which a service on Consul, Eureka or Nacos never needs.
 */
class LazyRegistry implements KitRegistry {
  readonly address: string;
  readonly #load: () => Promise<KitRegistry>;
  #client: Promise<KitRegistry> | undefined;

  constructor(address: string, load: () => Promise<KitRegistry>) {
    this.address = address;
    this.#load = load;
  }

  #get(): Promise<KitRegistry> {
    return (this.#client ??= this.#load());
  }

  async register(node: RegisterNode, ttlMs: number, options?: { timeoutMs?: number }): Promise<void> {
    return (await this.#get()).register(node, ttlMs, options);
  }

  async heartbeat(node: RegisterNode, options?: { timeoutMs?: number }): Promise<void> {
    return (await this.#get()).heartbeat(node, options);
  }

  async deregisterNode(node: RegisterNode): Promise<void> {
    return (await this.#get()).deregisterNode(node);
  }

  async getService(name: string, options?: GetServiceOptions): Promise<{ services: ServiceInfo[]; index: number }> {
    return (await this.#get()).getService(name, options);
  }

  async listServices(): Promise<string[]> {
    return (await this.#get()).listServices();
  }

  async close(): Promise<void> {
    if (this.#client) await (await this.#client).close();
  }
}
