import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { ConsulRegistryClient } from '../../services/kit/registry-client.ts';
import { Client } from '../../services/kit/client.ts';
import { runWorker, within } from './service-harness.ts';

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

describe('graceful stop', () => {
  it('deregisters first, then finishes the call in flight, then ends the thread', async () => {
    const svc = runWorker('test/kit/fixtures/slow-service.ts', { MICRO_REGISTRY_ADDRESS: registry.address });
    const address = (await svc.waitForLine(/^registered test\.slow /)).split(' at ')[1]!;
    const client = new Client({ timeoutMs: 5_000, retries: 0 });
    try {
      const call = client.call('test.slow', 'Slow.Wait', { ms: 500 }, { address });
      await svc.waitForLine(/^slow started$/);
      svc.stop();
      await svc.waitForLine(/^deregistered test\.slow /);
      expect((await consul.getService('test.slow')).services).toEqual([]);
      expect(await call).toEqual({ done: true });
      expect(await within('worker exit', svc.exited)).toBe(0);
      await expect(client.call('test.slow', 'Slow.Wait', { ms: 1 }, { address })).rejects.toMatchObject({
        code: 500,
        detail: `connection error: dial tcp ${address}: connect: connection refused`,
      });
    } finally {
      await client.close();
      svc.kill();
    }
  });
});
