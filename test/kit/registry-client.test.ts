import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { ConsulRegistryClient, RegistryRequestError } from '../../services/kit/registry-client.ts';
import { NodeCache } from '../../services/kit/node-cache.ts';
import { decodeTags } from '../../services/kit/registry-encoding.ts';

let registry: StartedRegistry;
let consul: ConsulRegistryClient;

beforeAll(async () => {
  registry = await startRegistry({ host: '127.0.0.1', port: 0 });
  consul = new ConsulRegistryClient(registry.address);
});

afterAll(async () => {
  await consul?.close();
  await registry?.stop();
});

const node = (id: string, port: number) => ({
  id,
  address: `127.0.0.1:${port}`,
  metadata: { protocol: 'mucp', 'bad.key': 'x' },
  service: 'test.svc',
  version: '1.2',
  endpoints: [{ name: 'A.B', metadata: { handler: 'rpc' } }],
});

describe('ConsulRegistryClient against the embedded registry', () => {
  it('registers like go-micro: tags, Meta, address, TTL check', async () => {
    await consul.register(node('test.svc-1', 1001), 10_000);
    const services = (await (await request(`${registry.url}/v1/agent/services`)).body.json()) as Record<string, { Tags: string[]; Meta: Record<string, string>; Address: string; Port: number; Service: string }>;
    const s = services['test.svc-1']!;
    expect(s).toMatchObject({ Service: 'test.svc', Address: '127.0.0.1', Port: 1001, Meta: { protocol: 'mucp' } });
    expect(decodeTags(s.Tags)).toEqual({
      version: '1.2',
      metadata: { protocol: 'mucp', 'bad.key': 'x' },
      endpoints: [{ name: 'A.B', metadata: { handler: 'rpc' } }],
    });
    const checks = (await (await request(`${registry.url}/v1/agent/checks`)).body.json()) as Record<string, { Type: string; Status: string }>;
    expect(checks['service:test.svc-1']).toMatchObject({ Type: 'ttl', Status: 'critical' });
  });

  it('skips nodes with a critical check until passTtl, then groups by version', async () => {
    expect((await consul.getService('test.svc')).services).toEqual([]);
    await consul.passTtl('service:test.svc-1');
    const { services, index } = await consul.getService('test.svc');
    expect(index).toBeGreaterThan(0);
    expect(services).toEqual([
      {
        name: 'test.svc',
        version: '1.2',
        metadata: {},
        endpoints: [{ name: 'A.B', metadata: { handler: 'rpc' } }],
        nodes: [{ id: 'test.svc-1', address: '127.0.0.1:1001', metadata: { protocol: 'mucp', 'bad.key': 'x' } }],
      },
    ]);
    expect(await consul.listServices()).toContain('test.svc');
  });

  it('a blocking getService returns on change with a greater index', async () => {
    const { index } = await consul.getService('test.svc');
    const waiting = consul.getService('test.svc', { index, waitMs: 30_000 });
    await consul.register({ ...node('test.svc-2', 1002), version: '2.0' }, 10_000);
    await consul.passTtl('service:test.svc-2');
    const next = await waiting;
    expect(next.index).toBeGreaterThan(index);
  });

  it('a blocking getService with nothing changing returns after waitMs with the same index', async () => {
    const { index } = await consul.getService('test.svc');
    const same = await consul.getService('test.svc', { index, waitMs: 100 });
    expect(same.index).toBe(index);
    expect(same.services.map((s) => s.version).sort()).toEqual(['1.2', '2.0']);
  });

  it('deregisters; unknown ids fail naming the call and status', async () => {
    await consul.deregister('test.svc-2');
    expect((await consul.getService('test.svc')).services.map((s) => s.version)).toEqual(['1.2']);
    const err = (await consul.deregister('nope').catch((e: unknown) => e)) as RegistryRequestError;
    expect(err).toBeInstanceOf(RegistryRequestError);
    expect(err.status).toBe(404);
    expect(err.message).toContain(`registry deregister PUT /v1/agent/service/deregister/nope at ${registry.address} failed: 404 Unknown service ID "nope"`);
  });

  it('node cache serves the last known nodes while the registry is down', async () => {
    const own = await startRegistry({ host: '127.0.0.1', port: 0 });
    const client = new ConsulRegistryClient(own.address);
    const cache = new NodeCache(client, { retryMs: 20 });
    try {
      await client.register(node('test.svc-9', 1009), 10_000);
      await client.passTtl('service:test.svc-9');
      expect((await cache.get('test.svc'))[0]!.nodes.map((n) => n.id)).toEqual(['test.svc-9']);
      await own.stop();
      const err = (await client.getService('test.svc').catch((e: unknown) => e)) as RegistryRequestError;
      expect(err.status).toBe(0);
      expect((await cache.get('test.svc'))[0]!.nodes.map((n) => n.id)).toEqual(['test.svc-9']);
      await expect(cache.get('never.fetched')).rejects.toThrow(/registry getService GET .* failed/);
    } finally {
      cache.close();
      await client.close();
      await own.stop();
    }
  });
});
