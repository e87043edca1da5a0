import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { ConsulRegistryClient } from '../../services/kit/registry-client.ts';
import { Client } from '../../services/kit/client.ts';
import { runWorker, within, waitFor, type RunningService } from './service-harness.ts';

let registry: StartedRegistry;
let consul: ConsulRegistryClient;
let client: Client;
const running: RunningService[] = [];

beforeAll(async () => {
  registry = await startRegistry({ host: '127.0.0.1', port: 0 });
  consul = new ConsulRegistryClient(registry.address);
  client = new Client({ registryAddress: registry.address, timeoutMs: 3_000 });
});

afterAll(async () => {
  for (const s of running) s.kill();
  await client?.close();
  await consul?.close();
  await registry?.stop();
});

function env(): Record<string, string> {
  return { MICRO_REGISTRY: 'consul', MICRO_REGISTRY_ADDRESS: registry.address, MICRO_REGISTER_TTL: '3s', MICRO_REGISTER_INTERVAL: '500ms' };
}

describe('greeter services in worker threads', () => {
  let srv: RunningService;
  let api: RunningService;

  it('register with go-micro tags and a passing TTL check', async () => {
    srv = runWorker('services/greeter-srv/main.ts', env());
    api = runWorker('services/greeter-api/main.ts', env());
    running.push(srv, api);
    const line = await srv.waitForLine(/^registered go\.micro\.srv\.greeter /);
    expect(line).toMatch(/^registered go\.micro\.srv\.greeter go\.micro\.srv\.greeter-[0-9a-f-]{36} at 127\.0\.0\.1:\d+$/);
    await api.waitForLine(/^registered go\.micro\.api\.greeter /);

    const { services } = await consul.getService('go.micro.srv.greeter');
    expect(services).toHaveLength(1);
    expect(services[0]).toMatchObject({
      name: 'go.micro.srv.greeter',
      version: 'latest',
      endpoints: [
        {
          name: 'Say.Hello',
          request: { name: 'Request', type: 'Request', values: [{ name: 'name', type: 'string', values: null }] },
          metadata: {},
        },
      ],
    });
    const node = services[0]!.nodes[0]!;
    expect(node.metadata).toEqual({ broker: 'http', protocol: 'mucp', registry: 'consul', server: 'mucp', transport: 'http' });
    expect(line.endsWith(`${node.id} at ${node.address}`)).toBe(true);

    const res = await request(`${registry.url}/v1/health/service/go.micro.srv.greeter?passing=1`);
    const passing = (await res.body.json()) as { Service: { ID: string }; Checks: { CheckID: string; Status: string }[] }[];
    expect(passing.map((e) => e.Service.ID)).toEqual([node.id]);
    expect(passing[0]!.Checks.find((c) => c.CheckID === `service:${node.id}`)?.Status).toBe('passing');
  });

  it('answers through the client and the selector', async () => {
    expect(await client.call('go.micro.srv.greeter', 'Say.Hello', { name: 'John' })).toEqual({ msg: 'Hello John' });
    expect(
      await client.call('go.micro.api.greeter', 'Say.Hello', { get: { name: { key: 'name', values: ['John'] } } }),
    ).toEqual({ statusCode: 200, body: '{"message":"Hello John"}' });
    expect(await client.call('go.micro.api.greeter', 'Greeter.Hello', { name: 'Asim' })).toEqual({ msg: 'Hello Asim' });
    const blank = await client.call('go.micro.api.greeter', 'Say.Hello', { method: 'GET' }).catch((e: unknown) => e);
    expect(JSON.stringify(blank)).toBe('{"id":"go.micro.api.greeter","code":400,"detail":"Name cannot be blank","status":"Bad Request"}');
  });

  it('heartbeats every interval and stays passing', async () => {
    const line = await api.waitForLine(/^registered/);
    const id = line.split(' ')[2]!;
    let last = Infinity;
    let beats = 0;
    await waitFor('three heartbeats', () => {
      const lease = registry.status().leases.find((l) => l.serviceId === id);
      expect(lease?.status).toBe('passing');
      const ago = lease?.lastHeartbeatAgoMs ?? Infinity;
      if (ago < last) beats++;
      last = ago;
      return beats >= 4;
    });
  });

  it('deregisters and ends the thread on {type:"stop"}', async () => {
    srv.stop();
    expect(await within('srv worker exit', srv.exited)).toBe(0);
    expect(srv.lines.some((l) => /^deregistered go\.micro\.srv\.greeter /.test(l))).toBe(true);
    expect((await consul.getService('go.micro.srv.greeter')).services).toEqual([]);
    api.stop();
    expect(await within('api worker exit', api.exited)).toBe(0);
    expect(await consul.listServices()).not.toContain('go.micro.api.greeter');
  });
});
