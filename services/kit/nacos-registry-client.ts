/**
 * The kit's Nacos client (MICRO_REGISTRY=nacos, MICRO_REGISTRY_ADDRESS=host:port of a Nacos server), naming
 * v1 HTTP with every parameter in the query string, as nacos-naming sends them:
 *
 *   register   POST   /nacos/v1/ns/instance        ephemeral, weight (metadata `weight`), metadata JSON
 *   heartbeat  PUT    /nacos/v1/ns/instance/beat   with the beat JSON (an expired instance comes back)
 *   deregister DELETE /nacos/v1/ns/instance
 *   getService GET    /nacos/v1/ns/instance/list   healthy, enabled hosts, grouped by metadata.version
 *
 * Namespace `public`, group `DEFAULT_GROUP`, cluster `DEFAULT`. The lease (15 s / 30 s) is the server's;
 * ttlMs only sets `preserved.heart.beat.timeout` when it is longer than Nacos's 15 s.
 */
import type { HttpPoolOptions } from './http-pool.ts';
import { joinHostPort, splitHostPort } from './address.ts';
import { parseEndpoints } from './eureka-registry-client.ts';
import { ChangePoller } from './poll-for-change.ts';
import type { GetServiceOptions, RegisterNode } from './registry-client.ts';
import { RegistryHttp } from './registry-http.ts';
import type { ServiceInfo } from './types.ts';
import type { KitRegistry } from './kit-registry.ts';

const BASE = '/nacos/v1/ns';
const GROUP = 'DEFAULT_GROUP';
const HEADERS = { 'user-agent': 'Nacos-Java-Client:v1.0.0', 'request-module': 'Naming' };

interface Host {
  instanceId?: string;
  ip: string;
  port: number;
  weight?: number;
  healthy?: boolean;
  enabled?: boolean;
  metadata?: Record<string, string>;
}

export class NacosRegistryClient implements KitRegistry {
  readonly address: string;
  readonly #http: RegistryHttp;
  readonly #poller = new ChangePoller();

  constructor(address: string, options: { connect?: HttpPoolOptions['connect'] } = {}) {
    splitHostPort(address);
    this.address = address;
    this.#http = new RegistryHttp(address, options.connect);
  }

  async register(node: RegisterNode, _ttlMs: number, options: { timeoutMs?: number } = {}): Promise<void> {
    const { host, port } = splitHostPort(node.address);
    const q = new URLSearchParams({
      serviceName: `${GROUP}@@${node.service}`,
      groupName: GROUP,
      namespaceId: 'public',
      clusterName: 'DEFAULT',
      ip: host,
      port: String(port),
      weight: String(weightOf(node)),
      enable: 'true',
      healthy: 'true',
      ephemeral: 'true',
      metadata: JSON.stringify(this.#metadata(node)),
    });
    await this.#http.call('register', 'POST', `${BASE}/instance?${q}`, { headers: HEADERS, timeoutMs: options.timeoutMs });
  }

  async heartbeat(node: RegisterNode, options: { timeoutMs?: number } = {}): Promise<void> {
    const { host, port } = splitHostPort(node.address);
    const beat = { serviceName: `${GROUP}@@${node.service}`, ip: host, port, cluster: 'DEFAULT', weight: weightOf(node), metadata: this.#metadata(node), scheduled: true };
    const q = new URLSearchParams({ serviceName: `${GROUP}@@${node.service}`, namespaceId: 'public', beat: JSON.stringify(beat) });
    const { text } = await this.#http.call('beat', 'PUT', `${BASE}/instance/beat?${q}`, { headers: HEADERS, timeoutMs: options.timeoutMs });
    if ((JSON.parse(text) as { code?: number }).code === 20404) throw new Error(`registry beat: ${node.id} unknown to ${this.address}`);
  }

  async deregisterNode(node: RegisterNode): Promise<void> {
    const { host, port } = splitHostPort(node.address);
    const q = new URLSearchParams({ serviceName: `${GROUP}@@${node.service}`, namespaceId: 'public', clusterName: 'DEFAULT', ip: host, port: String(port), ephemeral: 'true' });
    await this.#http.call('deregister', 'DELETE', `${BASE}/instance?${q}`, { headers: HEADERS });
  }

  getService(name: string, options: GetServiceOptions = {}): Promise<{ services: ServiceInfo[]; index: number }> {
    return this.#poller.get(name, () => this.#fetch(name, options.signal), options);
  }

  async listServices(): Promise<string[]> {
    const q = new URLSearchParams({ pageNo: '1', pageSize: '100000', namespaceId: 'public', groupName: GROUP });
    const { text } = await this.#http.call('listServices', 'GET', `${BASE}/service/list?${q}`, { headers: HEADERS });
    return ((JSON.parse(text) as { doms?: string[] }).doms ?? []).map((d) => d.replace(/^DEFAULT_GROUP@@/, '')).sort();
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  #metadata(node: RegisterNode): Record<string, string> {
    const md: Record<string, string> = { ...node.metadata, version: node.version, id: node.id };
    if (node.endpoints.length) md.endpoints = JSON.stringify(node.endpoints);
    return md;
  }

  async #fetch(name: string, signal?: AbortSignal): Promise<ServiceInfo[]> {
    const q = new URLSearchParams({ serviceName: `${GROUP}@@${name}`, namespaceId: 'public', clusters: '', healthyOnly: 'true' });
    const { text } = await this.#http.call('getService', 'GET', `${BASE}/instance/list?${q}`, { headers: HEADERS, signal });
    const hosts = (JSON.parse(text) as { hosts?: Host[] }).hosts ?? [];
    const byVersion = new Map<string, ServiceInfo>();
    for (const h of hosts) {
      if (h.healthy === false || h.enabled === false || (h.weight ?? 1) <= 0) continue;
      const { version = '', endpoints, id, ...metadata } = h.metadata ?? {};
      if (h.weight !== undefined) metadata.weight = String(h.weight);
      let info = byVersion.get(version);
      if (!info) byVersion.set(version, (info = { name, version, metadata: {}, endpoints: parseEndpoints(endpoints), nodes: [] }));
      info.nodes.push({ id: id ?? h.instanceId ?? `${h.ip}:${h.port}`, address: joinHostPort(h.ip, h.port), metadata });
    }
    return [...byVersion.values()];
  }
}

/** go-micro metadata `weight` (a number in [0, 10000]), else 1. */
function weightOf(node: RegisterNode): number {
  const w = Number(node.metadata.weight);
  return node.metadata.weight !== undefined && Number.isFinite(w) && w >= 0 && w <= 10000 ? w : 1;
}
