/**
 * Version routes and operator weights, through the real gateway, the real proxy and the embedded registry:
 * v1 registered through Consul, v2 through the Nacos face, side by side under one name.
 *
 *   gateway.versions / proxy.versions (VersionRoutes) -> only that version is called (go-micro's FilterVersion)
 *   registry.setWeight(id, w)                          -> every face reads w, and the instance's own
 *                                                         re-registration does not undo it
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPOLOGY_DEFAULTS } from '../../runner/config/apply-defaults.ts';
import type { GatewayConfig } from '../../runner/config/topology.ts';
import { createKitBackend } from '../../runner/gateway/kit-backend.ts';
import { startGateway } from '../../runner/gateway/start-gateway.ts';
import type { StartedServer } from '../../runner/gateway/started-server.ts';
import { VersionRoutes } from '../../runner/gateway/version-routes.ts';
import { startProxy } from '../../runner/proxy/start-proxy.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { Client } from '../../services/kit/client.ts';
import { ConsulRegistryClient } from '../../services/kit/registry-client.ts';
import { newService, type Service } from '../../services/kit/service.ts';
import { http, waitFor } from '../gateway/harness.ts';

const NAME = 'mdtest.routed';
let registry: StartedRegistry;
let gateway: StartedServer;
let proxy: StartedServer;
const gatewayRoutes = new VersionRoutes();
const proxyRoutes = new VersionRoutes({ [NAME]: 'v2' });
const services: Service[] = [];

function version(v: string, env: Record<string, string>): Service {
  const s = newService({ name: NAME, env: { MICRO_REGISTER_TTL: '30s', MICRO_REGISTER_INTERVAL: '1s', MICRO_SERVER_VERSION: v, ...env }, log: () => {} });
  s.handle('Echo.Version', () => ({ version: v }));
  services.push(s);
  return s;
}

async function viaGateway(calls: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < calls; i++) {
    const r = await http(`${gateway.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service: NAME, endpoint: 'Echo.Version', request: {} }) });
    const key = r.status === 200 ? (JSON.parse(r.text) as { version: string }).version : `${r.status} ${r.text}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

beforeAll(async () => {
  registry = await startRegistry({ host: '127.0.0.1', port: 0, nacos: { protectThreshold: 0, serve: true, port: 0 } });
  await version('v1', { MICRO_REGISTRY: 'consul', MICRO_REGISTRY_ADDRESS: registry.address, MICRO_SERVER_METADATA: 'weight=50' }).start();
  await version('v2', { MICRO_REGISTRY: 'nacos', MICRO_REGISTRY_ADDRESS: new URL(registry.nacosUrl!).host, MICRO_SERVER_METADATA: 'weight=50' }).start();
  const config: GatewayConfig = { ...TOPOLOGY_DEFAULTS.gateway, hosts: [], versions: {}, port: 0, balance: 'round_robin' };
  gateway = await startGateway(config, { registryAddress: registry.address, versions: gatewayRoutes });
  proxy = await startProxy({ host: '127.0.0.1', port: 0 }, { registryAddress: registry.address, versions: proxyRoutes });
  await waitFor('both versions in the catalog', async () => (await viaGateway(4)).v2 === 2);
});

afterAll(async () => {
  for (const s of services) await s.stop();
  await Promise.allSettled([gateway?.stop(), proxy?.stop()]);
  await registry?.stop();
});

describe('version routes in the gateway and the proxy', () => {
  it('with no route the gateway calls every version; a route keeps only that one; removing it restores both', async () => {
    expect(await viaGateway(10)).toEqual({ v1: 5, v2: 5 });
    gatewayRoutes.set(NAME, 'v2');
    expect(await viaGateway(10)).toEqual({ v2: 10 });
    gatewayRoutes.set(NAME, 'v1');
    expect(await viaGateway(10)).toEqual({ v1: 10 });
    gatewayRoutes.set(NAME, undefined);
    expect(await viaGateway(10)).toEqual({ v1: 5, v2: 5 });
  });

  it('a route to a version with no node fails as a filtered go-micro selector does (500 none available)', async () => {
    gatewayRoutes.set(NAME, 'v3');
    try {
      const r = await http(`${gateway.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service: NAME, endpoint: 'Echo.Version', request: {} }) });
      expect(r.status).toBe(500);
      expect(JSON.parse(r.text)).toMatchObject({ id: 'go.micro.client', code: 500, detail: `error selecting ${NAME} node: none available` });
    } finally {
      gatewayRoutes.set(NAME, undefined);
    }
  });

  it("the gateway's cached lookup (the traced path's) answers as its lookup does: the routed version only", async () => {
    const backend = createKitBackend({ registryAddress: registry.address, versions: gatewayRoutes, indexTtlMs: 60_000 });
    try {
      for (const route of ['v2', 'v3', undefined]) {
        gatewayRoutes.set(NAME, route);
        const looked = await backend.lookup(NAME);
        await waitFor('the lookup served from the watched cache', async () => backend.cached!(NAME) !== undefined);
        expect(backend.cached!(NAME)).toEqual(looked);
        expect(looked.map((s) => s.version).sort()).toEqual(route === undefined ? ['v1', 'v2'] : route === 'v2' ? ['v2'] : []);
      }
    } finally {
      gatewayRoutes.set(NAME, undefined);
      await backend.close();
    }
  });

  it('the proxy forwards a service\'s own calls (MICRO_PROXY_ADDRESS) to the routed version only, and its /registry still lists both', async () => {
    const client = new Client({ proxyAddress: proxy.address });
    try {
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) seen.add(((await client.call(NAME, 'Echo.Version', {})) as { version: string }).version);
      expect([...seen]).toEqual(['v2']);
      const listed = JSON.parse((await http(`${proxy.url}/registry?service=${NAME}`)).text) as { version: string }[];
      expect(listed.map((s) => s.version).sort()).toEqual(['v1', 'v2']);
    } finally {
      await client.close();
    }
  });
});

describe('operator weights (RegistryCore.setWeight)', () => {
  const idOf = (v: string) => registry.status().leases.find((l) => l.service === NAME && l.version === v)!.serviceId;

  it('status names each instance\'s face, version and weight', () => {
    const leases = registry.status().leases.filter((l) => l.service === NAME);
    expect(leases.map((l) => [l.face, l.version, l.weight]).sort()).toEqual([
      ['consul', 'v1', 50],
      ['nacos', 'v2', 50],
    ]);
  });

  it('weight 0 on v2 sends every call to v1; the Nacos face and the Consul tags report it', async () => {
    registry.setWeight(idOf('v2'), 0);
    expect(await viaGateway(10)).toEqual({ v1: 10 });
    const nacos = await http(`${registry.nacosUrl}/nacos/v1/ns/instance/list?serviceName=${NAME}`);
    const hosts = (JSON.parse(nacos.text) as { hosts: { weight: number; metadata: Record<string, string> }[] }).hosts;
    expect(hosts.map((h) => h.weight).sort()).toEqual([0, 50]);
    const consul = new ConsulRegistryClient(registry.address);
    try {
      const { services: infos } = await consul.getService(NAME);
      const weights = Object.fromEntries(infos.map((s) => [s.version, s.nodes[0]!.metadata.weight]));
      expect(weights).toEqual({ v1: '50', v2: '0' });
    } finally {
      await consul.close();
    }
  });

  it('holds when the instance registers again with its own weight (a kit after a 404), until it deregisters', async () => {
    const id = idOf('v1');
    registry.setWeight(id, 7);
    const consul = new ConsulRegistryClient(registry.address);
    try {
      const [v1] = (await consul.getService(NAME)).services.filter((s) => s.version === 'v1');
      const node = v1!.nodes[0]!;
      // The same registration the kit sends on a 404: its own metadata, weight=50.
      await consul.register({ ...node, metadata: { ...node.metadata, weight: '50' }, service: NAME, version: 'v1', endpoints: v1!.endpoints }, 30_000);
      const after = (await consul.getService(NAME)).services.find((s) => s.version === 'v1')!;
      expect(after.nodes[0]!.metadata.weight).toBe('7');
      expect(registry.status().leases.find((l) => l.serviceId === id)!.weight).toBe(7);
      await consul.deregister(node.id);
      await consul.register({ ...node, metadata: { ...node.metadata, weight: '50' }, service: NAME, version: 'v1', endpoints: v1!.endpoints }, 30_000);
      expect(registry.status().leases.find((l) => l.serviceId === id)!.weight).toBe(50);
    } finally {
      await consul.close();
    }
  });

  it('rejects an unknown id and a weight outside 0..10000 with Consul-style texts', () => {
    expect(() => registry.setWeight('nope', 1)).toThrow('No service registered with ID "nope"');
    expect(() => registry.setWeight(idOf('v1'), 10_001)).toThrow('weight must be a number from 0 to 10000, got 10001');
  });
});
