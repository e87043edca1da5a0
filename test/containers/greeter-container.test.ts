/**
 * End to end through real parts: the kit's greeter-srv (services/greeter-srv/main.ts) runs in a container,
 * registers with the embedded registry on the host (through the runtime's relay), and the kit's client on
 * the host calls Say.Hello at the advertised, published address. A partition makes the call fail; heal
 * makes it work again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { ContainerRuntime } from '../../runner/runtimes/container/container-runtime.ts';
import type { ContainerInstance } from '../../runner/runtimes/container/container-instance.ts';
import { sweepContainers } from '../../runner/runtimes/container/sweep.ts';
import { Client } from '../../services/kit/client.ts';
import { beaconService, dockerGate, freePort, waitFor } from './container-test-kit.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const gate = await dockerGate();

describe.runIf(gate.mustFail)('greeter in a container (Docker required)', () => {
  it('has a Docker engine', () => {
    throw new Error(`MICRO_DEV_REQUIRE_DOCKER=1 but ${gate.reason}`);
  });
});

describe.runIf(gate.run)('greeter-srv in a container', () => {
  const session = `greeter-${process.pid}-${Date.now().toString(36)}`;
  let registry: StartedRegistry;
  let runtime: ContainerRuntime;
  let instance: ContainerInstance | undefined;
  let client: Client;

  beforeAll(async () => {
    registry = await startRegistry({ host: '127.0.0.1', port: 0 });
    runtime = new ContainerRuntime({ topology: 'greeter-test', session });
    client = new Client({ registryAddress: registry.address, timeoutMs: 1500, retries: 0 });
  });

  afterAll(async () => {
    await instance?.stop(5000);
    await runtime?.close();
    await client?.close();
    await registry?.stop();
    await sweepContainers({ session });
  });

  it('registers through the relay, answers Say.Hello, and a partition cuts it off until heal', async () => {
    const port = await freePort();
    instance = await runtime.start(
      {
        instance: 'greeter-srv-1',
        service: beaconService({ name: 'greeter-srv', module: 'services/greeter-srv/main.ts', cwd: ROOT }),
        env: {
          MICRO_REGISTRY: 'consul',
          MICRO_REGISTRY_ADDRESS: registry.address,
          MICRO_SERVER_ADDRESS: `127.0.0.1:${port}`,
          MICRO_REGISTER_TTL: '5s',
          MICRO_REGISTER_INTERVAL: '1s',
        },
      },
      { signal: AbortSignal.timeout(60_000) },
    );
    const logs: string[] = [];
    instance.onLog((l) => logs.push(l.line));

    const nodes = await waitFor('greeter registered in the embedded registry', async () => {
      const res = await fetch(`${registry.url}/v1/health/service/go.micro.srv.greeter`);
      const entries = (await res.json()) as { Service: { Address: string; Port: number } }[];
      return entries.length > 0 ? entries : false;
    }, 30_000);
    expect(nodes[0]!.Service).toMatchObject({ Address: '127.0.0.1', Port: port });

    const reply = await waitFor('a Say.Hello reply', () => client.call('go.micro.srv.greeter', 'Say.Hello', { name: 'John' }));
    expect(reply).toEqual({ msg: 'Hello John' });

    await instance.partition();
    await expect(
      client.call('go.micro.srv.greeter', 'Say.Hello', { name: 'John' }, { address: `127.0.0.1:${port}`, timeoutMs: 500 }),
    ).rejects.toThrow();
    await instance.heal();
    expect(await waitFor('a reply after heal', () => client.call('go.micro.srv.greeter', 'Say.Hello', { name: 'Jane' }))).toEqual({
      msg: 'Hello Jane',
    });

    const exit = await instance.stop(5000);
    expect(exit).toMatchObject({ code: 0, requested: true });
    instance = undefined;
  });
});
