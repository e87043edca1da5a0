/**
 * Weights and versions end to end: two versions of one service side by side (v1 weight 90 via
 * MICRO_SERVER_METADATA, v2 weight 10 registered through the Nacos face), a kit client with smooth weighted
 * round robin splits calls 9:1, and `version` filters the pool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { Client } from '../../services/kit/client.ts';
import { Selector } from '../../services/kit/selector.ts';
import { newService, type Service } from '../../services/kit/service.ts';

let registry: StartedRegistry;
const services: Service[] = [];
const clients: Client[] = [];

function version(v: string, env: Record<string, string>): Service {
  const s = newService({ name: 'mdtest.canary', env: { MICRO_REGISTER_TTL: '30s', MICRO_REGISTER_INTERVAL: '1s', MICRO_SERVER_VERSION: v, ...env }, log: () => {} });
  s.handle('Echo.Version', () => ({ version: v }));
  services.push(s);
  return s;
}

beforeAll(async () => {
  registry = await startRegistry({ host: '127.0.0.1', port: 0, nacos: { protectThreshold: 0, serve: true, port: 0 } });
  await version('v1', { MICRO_REGISTRY: 'consul', MICRO_REGISTRY_ADDRESS: registry.address, MICRO_SERVER_METADATA: 'weight=90' }).start();
  await version('v2', { MICRO_REGISTRY: 'nacos', MICRO_REGISTRY_ADDRESS: new URL(registry.nacosUrl!).host, MICRO_SERVER_METADATA: 'weight=10' }).start();
});
afterAll(async () => {
  for (const c of clients) await c.close();
  for (const s of services) await s.stop();
  await registry?.stop();
});

async function split(client: Client, calls: number, version?: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < calls; i++) {
    const r = (await client.call('mdtest.canary', 'Echo.Version', {}, version ? { version } : {})) as { version: string };
    counts[r.version] = (counts[r.version] ?? 0) + 1;
  }
  return counts;
}

describe('weights and versions across faces', () => {
  it('a Consul reader splits 9:1 by weight (smooth weighted round robin)', async () => {
    const client = new Client({ registryAddress: registry.address, selector: new Selector({ strategy: 'round_robin' }) });
    clients.push(client);
    expect(await split(client, 100)).toEqual({ v1: 90, v2: 10 });
  });

  it('a Nacos reader sees the same weights', async () => {
    const client = new Client({ registryAddress: new URL(registry.nacosUrl!).host, registry: 'nacos', selector: new Selector({ strategy: 'round_robin' }) });
    clients.push(client);
    expect(await split(client, 50)).toEqual({ v1: 45, v2: 5 });
  });

  it('the version filter keeps only that version', async () => {
    const client = new Client({ registryAddress: registry.address });
    clients.push(client);
    expect(await split(client, 20, 'v2')).toEqual({ v2: 20 });
    await expect(client.call('mdtest.canary', 'Echo.Version', {}, { version: 'v3' })).rejects.toMatchObject({ code: 500, detail: 'error selecting mdtest.canary node: none available' });
  });
});
