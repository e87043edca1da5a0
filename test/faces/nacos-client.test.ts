/**
 * nacos-naming 2.6.3 against the Nacos face: register, select, subscribe (UDP push), deregister, the
 * server-driven beat and registration from a beat after expiry, and one catalog with Consul and Eureka.
 */
import Consul from 'consul';
import { NacosNamingClient } from 'nacos-naming';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegistryEvent } from '../../runner/registry/registry-types.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { eventually } from '../registry/registry-harness.ts';
import { raw } from './wire-http.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, log() {} } as unknown as typeof console;
type Host = { ip: string; port: number; weight: number; healthy: boolean; metadata: Record<string, string> };

let reg: StartedRegistry | undefined;
const clients: NacosNamingClient[] = [];
const events: RegistryEvent[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await (c as unknown as { close(): Promise<void> }).close();
  events.length = 0;
  await reg?.stop();
  reg = undefined;
});

async function registry(timeScale = 1): Promise<StartedRegistry> {
  reg = await startRegistry({
    host: '127.0.0.1',
    port: 0,
    timeScale,
    eureka: { doubleExpiryQuirk: true, selfPreservation: true, serve: true, port: 0 },
    nacos: { protectThreshold: 0, serve: true, port: 0 },
  });
  reg.subscribe((e) => events.push(e));
  return reg;
}

async function client(r: StartedRegistry): Promise<NacosNamingClient> {
  const c = new NacosNamingClient({ logger: quiet, serverList: new URL(r.nacosUrl!).host, namespace: 'public' });
  clients.push(c);
  await c.ready();
  return c;
}

const instance = (port: number, extra: Record<string, unknown> = {}) => ({ ip: '127.0.0.1', port, ...extra }) as never;

describe('nacos-naming 2.6.3 against the Nacos face', () => {
  it('registers, is selected and pushed to a subscriber, deregisters', async () => {
    const r = await registry();
    const a = await client(r);
    const b = await client(r);
    await a.registerInstance('svc', instance(8080, { weight: 2, metadata: { k: 'v' } }));
    const selected = (await b.selectInstances('svc')) as unknown as Host[];
    expect(selected).toEqual([expect.objectContaining({ ip: '127.0.0.1', port: 8080, weight: 2, healthy: true, metadata: { k: 'v' } })]);

    const seen: Host[][] = [];
    b.subscribe('svc', (hosts) => seen.push(hosts as unknown as Host[]));
    await eventually(() => seen.length > 0, 'the subscriber gets the current hosts');
    await a.registerInstance('svc', instance(8081));
    // The poll period is 10 s (cacheMillis); only the UDP push delivers this within the deadline.
    await eventually(() => seen.some((h) => h.length === 2), 'the second instance reaches the subscriber', 5000);

    await a.deregisterInstance('svc', instance(8081));
    const direct = (await b.getAllInstances('svc', 'DEFAULT_GROUP', '', false)) as unknown as Host[];
    expect(direct.map((h) => h.port)).toEqual([8080]);
  });

  it('one catalog: Nacos instances in Consul and Eureka, a Consul service in Nacos', async () => {
    // timeScale 0.05: Eureka's 30 s response cache is 1.5 s; the Nacos instance keeps its lease through
    // preserved.* metadata (nacos-naming's first beat is 10 s away).
    const r = await registry(0.05);
    const a = await client(r);
    const keep = { 'preserved.heart.beat.timeout': '600000', 'preserved.ip.delete.timeout': '600000' };
    await a.registerInstance('shop', instance(7070, { weight: 5, metadata: keep }));
    const consul = new Consul({ host: '127.0.0.1', port: Number(r.address.split(':')[1]) });
    const healthy = (await consul.health.service({ service: 'shop', passing: true })) as { Service: { Port: number; Meta: Record<string, string> } }[];
    expect(healthy.map((h) => [h.Service.Port, h.Service.Meta.weight, h.Service.Meta['micro-dev-face']])).toEqual([[7070, '5', 'nacos']]);
    await eventually(async () => {
      const res = await raw('GET', `${r.eurekaUrl}apps/SHOP`, { headers: { accept: 'application/json' } });
      return res.status === 200 && res.json<{ application: { instance: { port: { $: number } }[] } }>().application.instance[0].port.$ === 7070;
    }, 'the Nacos instance in Eureka /apps/SHOP');

    await consul.agent.service.register({ name: 'greeter-srv', id: 'greeter-srv-1', address: '127.0.0.1', port: 4321, meta: { weight: '3' }, check: { ttl: '1h' } as never });
    await consul.agent.check.pass({ id: 'service:greeter-srv-1' });
    const hosts = (await a.selectInstances('greeter-srv', 'DEFAULT_GROUP', '', true, false)) as unknown as Host[];
    expect(hosts).toEqual([expect.objectContaining({ ip: '127.0.0.1', port: 4321, weight: 3, healthy: true })]);
  });

  it('beats at the server-driven interval; an expired instance comes back from its next beat', async () => {
    // timeScale 0.1: delete after 30 s of model time = 3 s, long before nacos-naming's first beat (10 s
    // after the client starts, whatever the server says), so the instance expires once and is then
    // registered again by the beat itself (A-6 with the real client); later beats come every 500 ms.
    const r = await registry(0.1);
    const a = await client(r);
    await a.registerInstance('beater', instance(6060));
    const id = 'nacos:public:127.0.0.1#6060#DEFAULT#DEFAULT_GROUP@@beater';
    await eventually(() => events.find((e) => e.type === 'evicted' && e.serviceId === id), 'the silent instance is deleted', 8_000);
    const gone = events.length;
    await eventually(() => events.slice(gone).find((e) => e.type === 'registered' && e.serviceId === id), 'the first beat registers it again', 15_000);
    const base = r.status().heartbeats ?? 0;
    await eventually(() => (r.status().heartbeats ?? 0) >= base + 4, 'four more beats (500 ms apart)', 10_000);
    expect(r.status().leases.find((l) => l.serviceId === id)).toMatchObject({ status: 'passing' });
  }, 40_000);
});
