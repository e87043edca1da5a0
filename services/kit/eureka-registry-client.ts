/**
 * The kit's Eureka client (MICRO_REGISTRY=eureka, MICRO_REGISTRY_ADDRESS=host:port of an Eureka server):
 *
 *   register   POST   /eureka/apps/{APP}       {"instance":{instanceId: node id, app, ipAddr, port, vipAddress,
 *                                               leaseInfo: {durationInSecs: ttl}, metadata}}  -> 204
 *   heartbeat  PUT    /eureka/apps/{APP}/{id}  -> 200 (404: unknown, register again)
 *   deregister DELETE /eureka/apps/{APP}/{id}
 *   getService GET    /eureka/apps/{APP}       UP instances, grouped by metadata.version
 *
 * go-micro's version and endpoints ride in the metadata (`version`, `endpoints` as JSON), as go-plugins'
 * eureka registry does.
 */
import type { HttpPoolOptions } from './http-pool.ts';
import { joinHostPort, splitHostPort } from './address.ts';
import { ChangePoller } from './poll-for-change.ts';
import type { GetServiceOptions, RegisterNode } from './registry-client.ts';
import { RegistryHttp } from './registry-http.ts';
import type { Endpoint, ServiceInfo } from './types.ts';
import type { KitRegistry } from './kit-registry.ts';

const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };
const BASE = '/eureka/apps';

interface EurekaInstance {
  instanceId?: string;
  hostName?: string;
  app?: string;
  ipAddr?: string;
  status?: string;
  port?: { $?: number | string };
  metadata?: Record<string, string>;
}

export class EurekaRegistryClient implements KitRegistry {
  readonly address: string;
  readonly #http: RegistryHttp;
  readonly #poller = new ChangePoller();

  constructor(address: string, options: { connect?: HttpPoolOptions['connect'] } = {}) {
    splitHostPort(address);
    this.address = address;
    this.#http = new RegistryHttp(address, options.connect);
  }

  async register(node: RegisterNode, ttlMs: number, options: { timeoutMs?: number } = {}): Promise<void> {
    const { host, port } = splitHostPort(node.address);
    const metadata: Record<string, string> = { ...node.metadata, version: node.version };
    if (node.endpoints.length) metadata.endpoints = JSON.stringify(node.endpoints);
    const app = node.service.toUpperCase();
    const body = {
      instance: {
        instanceId: node.id,
        hostName: host,
        app,
        ipAddr: host,
        status: 'UP',
        port: { $: port, '@enabled': 'true' },
        vipAddress: node.service,
        dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
        leaseInfo: { durationInSecs: Math.max(1, Math.ceil(ttlMs / 1000)) },
        metadata,
      },
    };
    await this.#http.call('register', 'POST', `${BASE}/${encodeURIComponent(app)}`, { body: JSON.stringify(body), headers: JSON_HEADERS, ok: [204], timeoutMs: options.timeoutMs });
  }

  async heartbeat(node: RegisterNode, options: { timeoutMs?: number } = {}): Promise<void> {
    await this.#http.call('renew', 'PUT', this.#instancePath(node), { timeoutMs: options.timeoutMs });
  }

  async deregisterNode(node: RegisterNode): Promise<void> {
    await this.#http.call('cancel', 'DELETE', this.#instancePath(node), { ok: [200, 404] });
  }

  getService(name: string, options: GetServiceOptions = {}): Promise<{ services: ServiceInfo[]; index: number }> {
    return this.#poller.get(name, () => this.#fetch(name, options.signal), options);
  }

  async listServices(): Promise<string[]> {
    const { text } = await this.#http.call('listServices', 'GET', `${BASE}/`, { headers: { accept: 'application/json' } });
    const apps = (JSON.parse(text) as { applications?: { application?: { name: string }[] } }).applications?.application ?? [];
    return apps.map((a) => a.name.toLowerCase()).sort();
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  #instancePath(node: RegisterNode): string {
    return `${BASE}/${encodeURIComponent(node.service.toUpperCase())}/${encodeURIComponent(node.id)}`;
  }

  async #fetch(name: string, signal?: AbortSignal): Promise<ServiceInfo[]> {
    const { status, text } = await this.#http.call('getService', 'GET', `${BASE}/${encodeURIComponent(name.toUpperCase())}`, {
      headers: { accept: 'application/json' },
      ok: [200, 404],
      signal,
    });
    if (status === 404) return [];
    const raw = (JSON.parse(text) as { application?: { instance?: EurekaInstance[] | EurekaInstance } }).application?.instance ?? [];
    const instances = Array.isArray(raw) ? raw : [raw];
    const byVersion = new Map<string, ServiceInfo>();
    for (const i of instances) {
      if (i.status !== 'UP') continue;
      const { version = '', endpoints, ...metadata } = i.metadata ?? {};
      delete (metadata as Record<string, string>)['@class'];
      let info = byVersion.get(version);
      if (!info) byVersion.set(version, (info = { name, version, metadata: {}, endpoints: parseEndpoints(endpoints), nodes: [] }));
      info.nodes.push({ id: i.instanceId ?? i.hostName ?? '', address: joinHostPort(i.ipAddr ?? i.hostName ?? '', Number(i.port?.$ ?? 0)), metadata });
    }
    return [...byVersion.values()];
  }
}

export function parseEndpoints(text: string | undefined): Endpoint[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? (v as Endpoint[]).filter((e) => e && typeof e.name === 'string').map((e) => ({ ...e, metadata: e.metadata ?? {} })) : [];
  } catch {
    return [];
  }
}
