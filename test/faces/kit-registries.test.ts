/**
 * The kit speaks all three registries (MICRO_REGISTRY=consul|eureka|nacos): greeter-srv registers through
 * the Eureka face, greeter-api through the Nacos face, and calls cross faces through the one catalog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { Client } from '../../services/kit/client.ts';
import { createKitRegistry, type KitRegistry } from '../../services/kit/kit-registry.ts';
import { runWorker, within, type RunningService } from '../kit/service-harness.ts';
import { eventually } from '../registry/registry-harness.ts';

let registry: StartedRegistry;
const running: RunningService[] = [];
const closers: { close(): Promise<void> }[] = [];
const hostOf = (url: string) => new URL(url).host;

beforeAll(async () => {
  // timeScale 0.1: Eureka's 30 s response cache is 3 s of wall time.
  registry = await startRegistry({
    host: '127.0.0.1',
    port: 0,
    timeScale: 0.1,
    eureka: { doubleExpiryQuirk: true, selfPreservation: true, serve: true, port: 0 },
    nacos: { protectThreshold: 0, serve: true, port: 0 },
  });
});

afterAll(async () => {
  for (const s of running) s.kill();
  for (const c of closers) await c.close();
  await registry?.stop();
});

const env = (kind: string, address: string) => ({ MICRO_REGISTRY: kind, MICRO_REGISTRY_ADDRESS: address, MICRO_REGISTER_TTL: '90s', MICRO_REGISTER_INTERVAL: '300ms' });

function kit(kind: 'consul' | 'eureka' | 'nacos', address: string): KitRegistry {
  const r = createKitRegistry(kind, address);
  closers.push(r);
  return r;
}

describe('MICRO_REGISTRY=eureka and nacos in the kit', () => {
  let srv: RunningService;
  let api: RunningService;

  it('greeter-srv registers through Eureka, greeter-api through Nacos; Consul readers see both', async () => {
    srv = runWorker('services/greeter-srv/main.ts', env('eureka', hostOf(registry.eurekaUrl!)));
    api = runWorker('services/greeter-api/main.ts', env('nacos', hostOf(registry.nacosUrl!)));
    running.push(srv, api);
    await srv.waitForLine(/^registered go\.micro\.srv\.greeter /);
    await api.waitForLine(/^registered go\.micro\.api\.greeter /);

    const consul = kit('consul', registry.address);
    const [srvInfo] = (await consul.getService('go.micro.srv.greeter')).services;
    expect(srvInfo).toMatchObject({ name: 'go.micro.srv.greeter', version: 'latest', endpoints: [expect.objectContaining({ name: 'Say.Hello' })] });
    expect(srvInfo!.nodes[0]!.metadata).toMatchObject({ protocol: 'mucp', registry: 'eureka' });
    const [apiInfo] = (await consul.getService('go.micro.api.greeter')).services;
    expect(apiInfo!.nodes[0]!.metadata).toMatchObject({ protocol: 'mucp', registry: 'nacos', weight: '1' });
  });

  it('a call crosses faces: consul client -> greeter-api (Nacos, looks up via Nacos) -> greeter-srv (Eureka)', async () => {
    const client = new Client({ registryAddress: registry.address, timeoutMs: 3_000 });
    closers.push(client);
    expect(await client.call('go.micro.api.greeter', 'Greeter.Hello', { name: 'Asim' })).toEqual({ msg: 'Hello Asim' });
  });

  it('kit clients on Eureka and Nacos find services registered through the other faces', async () => {
    const viaEureka = new Client({ registryAddress: hostOf(registry.eurekaUrl!), registry: 'eureka', timeoutMs: 3_000 });
    const viaNacos = new Client({ registryAddress: hostOf(registry.nacosUrl!), registry: 'nacos', timeoutMs: 3_000 });
    closers.push(viaEureka, viaNacos);
    expect(await viaNacos.call('go.micro.srv.greeter', 'Say.Hello', { name: 'N' })).toEqual({ msg: 'Hello N' });
    // Eureka reads come from its 30 s (3 s here) response cache: the first fetch may predate the register.
    const got = await eventually(
      () => viaEureka.call('go.micro.api.greeter', 'Greeter.Hello', { name: 'E' }).catch(() => undefined),
      'the Nacos-registered api through an Eureka lookup',
      10_000,
    );
    expect(got).toEqual({ msg: 'Hello E' });
    expect(await kit('eureka', hostOf(registry.eurekaUrl!)).listServices()).toEqual(expect.arrayContaining(['go.micro.api.greeter', 'go.micro.srv.greeter']));
    expect(await kit('nacos', hostOf(registry.nacosUrl!)).listServices()).toEqual(expect.arrayContaining(['go.micro.api.greeter', 'go.micro.srv.greeter']));
  });

  it('renews keep the Eureka and Nacos leases passing; a stop deregisters through each face', async () => {
    const base = registry.status().heartbeats ?? 0;
    await eventually(() => (registry.status().heartbeats ?? 0) >= base + 6, 'renewals and beats arrive', 10_000);
    const faces = registry.status().leases.filter((l) => /^(eureka|nacos):/.test(l.serviceId));
    expect(faces.map((l) => l.status)).toEqual(['passing', 'passing']);
    srv.stop();
    api.stop();
    expect(await within('srv exit', srv.exited)).toBe(0);
    expect(await within('api exit', api.exited)).toBe(0);
    expect(registry.status().leases.filter((l) => /^(eureka|nacos):/.test(l.serviceId))).toEqual([]);
  });
});
