import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { startBroker, type StartedBroker } from '../../runner/broker/start-broker.ts';
import { ConsulRegistryClient } from '../../services/kit/registry-client.ts';
import { Client } from '../../services/kit/client.ts';
import { runWorker, within, type RunningService } from './service-harness.ts';

let registry: StartedRegistry;
let broker: StartedBroker;
let consul: ConsulRegistryClient;
let sub: RunningService;

beforeAll(async () => {
  registry = await startRegistry({ host: '127.0.0.1', port: 0 });
  broker = await startBroker({ host: '127.0.0.1', port: 0 }, { registryAddress: registry.address });
  consul = new ConsulRegistryClient(registry.address);
  sub = runWorker('test/kit/fixtures/subscriber-service.ts', {
    MICRO_REGISTRY_ADDRESS: registry.address,
    MICRO_BROKER_ADDRESS: broker.address,
    MICRO_REGISTER_TTL: '5s',
    MICRO_REGISTER_INTERVAL: '1s',
  });
  await sub.waitForLine(/^registered test\.subscriber /);
});

afterAll(async () => {
  sub?.kill();
  await consul?.close();
  await broker?.stop();
  await registry?.stop();
});

describe('http broker subscriptions', () => {
  it('registers the subscription as a go.micro.http.broker node on the service address', async () => {
    const [svc] = (await consul.getService('go.micro.http.broker')).services;
    const node = svc!.nodes[0]!;
    expect(node.id).toMatch(/^go\.micro\.http\.broker-[0-9a-f-]{36}\.[0-9a-f-]{36}$/);
    expect(node.metadata).toEqual({ secure: 'false', broker: 'http', topic: 'go.micro.topic.test' });
    const own = (await consul.getService('test.subscriber')).services[0]!.nodes[0]!;
    expect(node.address).toBe(own.address);
  });

  it('receives what another service publishes through the broker', async () => {
    const client = new Client({ registryAddress: registry.address });
    try {
      await client.call('test.subscriber', 'Pub.Send', { topic: 'go.micro.topic.test', message: { say: 'hi <there>' } });
    } finally {
      await client.close();
    }
    const line = await sub.waitForLine(/^received /);
    expect(line).toBe('received {"say":"hi <there>"} topic=go.micro.topic.test ct=application/json');
    expect(await sub.waitForLine(/^trace /)).toBe('trace -');
  });

  it('carries the trace context of the request that published to the subscriber\'s handler', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const client = new Client({ registryAddress: registry.address });
    try {
      await client.call('test.subscriber', 'Pub.Send', { topic: 'go.micro.topic.test', message: { say: 'traced' } }, { headers: { traceparent } });
    } finally {
      await client.close();
    }
    await sub.waitForLine(/^received \{"say":"traced"\}/);
    expect(await sub.waitForLine(new RegExp(`^trace ${traceparent}$`))).toBe(`trace ${traceparent}`);
  });

  it('deregisters the subscription node on stop', async () => {
    sub.stop();
    expect(await within('subscriber exit', sub.exited)).toBe(0);
    expect((await consul.getService('go.micro.http.broker')).services).toEqual([]);
  });
});
