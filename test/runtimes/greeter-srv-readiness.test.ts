// The real greeter service under both local runtimes, judged ready by forRegistered against the real
// embedded registry, then stopped gracefully (it deregisters).
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { ProcessRuntime } from '../../runner/runtimes/process/process-runtime.ts';
import type { Runtime } from '../../runner/runtimes/runtime.ts';
import { Wait } from '../../runner/runtimes/wait/wait.ts';
import { WorkerRuntime } from '../../runner/runtimes/worker/worker-runtime.ts';
import { fixtureService } from './fixtures/fixture-service.ts';

const main = fileURLToPath(new URL('../../services/greeter-srv/main.ts', import.meta.url));
let registry: StartedRegistry;

beforeAll(async () => {
  registry = await startRegistry({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await registry?.stop();
});

const cases: [string, Runtime, Partial<Parameters<typeof fixtureService>[0]>][] = [
  ['worker', new WorkerRuntime(), { runtime: 'worker', module: main }],
  ['process', new ProcessRuntime(), { runtime: 'process', command: [process.execPath, main] }],
];

describe.each(cases)('greeter-srv as a %s instance', (_kind, runtime, service) => {
  it('becomes registered and passing, answers on the registered address, and deregisters on stop', async () => {
    const serverId = randomUUID();
    const instance = await runtime.start(
      {
        instance: 'greeter-srv-1',
        service: fixtureService({ name: 'greeter-srv', ...service }),
        env: {
          MICRO_REGISTRY: 'consul',
          MICRO_REGISTRY_ADDRESS: registry.address,
          MICRO_SERVER_ADDRESS: '127.0.0.1:0',
          MICRO_SERVER_ID: serverId,
          MICRO_REGISTER_TTL: '10s',
          MICRO_REGISTER_INTERVAL: '5s',
        },
      },
      { signal: new AbortController().signal },
    );
    try {
      const ready = await Wait.forRegistered()
        .withDeadline(20_000)
        .wait(
          { instance, serverId, registryAddress: registry.address, host: '127.0.0.1' },
          { signal: new AbortController().signal },
        );
      expect(ready.registryId).toBe(`go.micro.srv.greeter-${serverId}`);
      expect(ready.address).toMatch(/^127\.0\.0\.1:\d+$/);
      const res = await fetch(`http://${ready.address}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'micro-service': 'go.micro.srv.greeter', 'micro-endpoint': 'Say.Hello' },
        body: JSON.stringify({ name: 'John' }),
      });
      expect(await res.json()).toEqual({ msg: 'Hello John' });
    } finally {
      const exit = await instance.stop(5000);
      expect(exit).toMatchObject({ code: 0, requested: true });
    }
    const services = (await (await fetch(`${registry.url}/v1/agent/services`)).json()) as Record<string, unknown>;
    expect(Object.keys(services)).not.toContain(`go.micro.srv.greeter-${serverId}`);
  });
});
