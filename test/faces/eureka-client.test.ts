/**
 * eureka-js-client 4.5.0 against the Eureka face: register, fetch, renew, re-register on a renew 404,
 * deregister, eviction after silence, self-preservation, and one catalog with the Consul API (the `consul`
 * npm client). The registry runs at timeScale 0.01: a 30 s renew is 300 ms, a 90 s lease 0.9 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Consul from 'consul';
import { Eureka } from 'eureka-js-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegistryEvent } from '../../runner/registry/registry-types.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { eventually } from '../registry/registry-harness.ts';

const SCALE = 0.01;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const cwd = mkdtempSync(join(tmpdir(), 'eureka-js-'));

let reg: StartedRegistry | undefined;
const clients: Eureka[] = [];
const events: RegistryEvent[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) {
    clearInterval(c.heartbeat);
    clearInterval(c.registryFetch);
  }
  events.length = 0;
  await reg?.stop();
  reg = undefined;
});
process.on('exit', () => rmSync(cwd, { recursive: true, force: true }));

async function registry(selfPreservation = true): Promise<StartedRegistry> {
  reg = await startRegistry({
    host: '127.0.0.1',
    port: 0,
    timeScale: SCALE,
    eureka: { doubleExpiryQuirk: true, selfPreservation, serve: true, port: 0 },
  });
  reg.subscribe((e) => events.push(e));
  return reg;
}

function client(r: StartedRegistry, app: string, port: number, opts: { register?: boolean } = {}): Eureka {
  const url = new URL(r.eurekaUrl!);
  const c = new Eureka({
    cwd,
    logger: quiet,
    instance: {
      app,
      instanceId: `localhost:${app}:${port}`,
      hostName: 'localhost',
      ipAddr: '127.0.0.1',
      port: { $: port, '@enabled': 'true' },
      vipAddress: app,
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
    },
    eureka: {
      host: url.hostname,
      port: Number(url.port),
      servicePath: '/eureka/apps/',
      heartbeatInterval: 30_000 * SCALE,
      registryFetchInterval: 30_000 * SCALE,
      maxRetries: 0,
      registerWithEureka: opts.register ?? true,
    },
  });
  clients.push(c);
  return c;
}

const start = (c: Eureka) => new Promise<void>((resolve, reject) => c.start((err) => (err ? reject(err) : resolve())));
const stop = (c: Eureka) => new Promise<void>((resolve, reject) => c.stop((err) => (err ? reject(err) : resolve())));
const consulOf = (r: StartedRegistry) => new Consul({ host: '127.0.0.1', port: Number(r.address.split(':')[1]) });
const leaseOf = (r: StartedRegistry, id: string) => r.status().leases.find((l) => l.serviceId === id);

describe('eureka-js-client 4.5.0 against the Eureka face', () => {
  it('registers, is fetched by another client, renews, and deregisters', async () => {
    const r = await registry();
    const svc = client(r, 'jqservice', 8080);
    await start(svc);
    const id = 'eureka:JQSERVICE:localhost:jqservice:8080';
    expect(r.status().leases.map((l) => l.serviceId)).toContain(id);

    const watcher = client(r, 'watcher', 9, { register: false });
    await start(watcher);
    const seen = await eventually(async () => {
      await new Promise<void>((res) => watcher.fetchRegistry(() => res()));
      return watcher.getInstancesByAppId('JQSERVICE')[0];
    }, 'another client fetches the instance');
    expect(seen).toMatchObject({ app: 'JQSERVICE', hostName: 'localhost', ipAddr: '127.0.0.1', status: 'UP', port: { $: 8080, '@enabled': 'true' } });

    let beats = 0;
    svc.on('heartbeat', () => beats++);
    await eventually(() => beats >= 3, 'three renewals answered 200', 10_000);
    expect(leaseOf(r, id)?.lastHeartbeatAgoMs).not.toBeNull();

    await stop(svc);
    expect(leaseOf(r, id)).toBeUndefined();
    expect(events).toContainEqual(expect.objectContaining({ type: 'deregistered', serviceId: id, reason: 'api' }));
  });

  it('re-registers when a renew answers 404 (the registry lost it)', async () => {
    const r = await registry();
    const svc = client(r, 'jqservice', 8080);
    await start(svc);
    const id = 'eureka:JQSERVICE:localhost:jqservice:8080';
    const res = await fetch(`${r.eurekaUrl}apps/JQSERVICE/localhost:jqservice:8080`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(leaseOf(r, id)).toBeUndefined();
    let registered = 0;
    svc.on('registered', () => registered++);
    await eventually(() => registered >= 1 && leaseOf(r, id), 'the client registers again after a 404 renew', 10_000);
  });

  it('evicts a silent client (self-preservation off) after 2x the lease plus an eviction run', async () => {
    const r = await registry(false);
    const svc = client(r, 'jqservice', 8080);
    await start(svc);
    const id = 'eureka:JQSERVICE:localhost:jqservice:8080';
    await eventually(() => leaseOf(r, id)?.lastHeartbeatAgoMs !== null && leaseOf(r, id), 'a first renew', 10_000);
    const silentAt = Date.now();
    clearInterval(svc.heartbeat); // the process hangs: no renew, no cancel
    const evicted = await eventually(() => events.find((e) => e.type === 'evicted' && e.serviceId === id), 'eviction', 15_000);
    // A renewed lease expires at lastRenew + 2 x 90 s (the quirk): never sooner than 180 s of model time.
    expect(evicted.at - silentAt).toBeGreaterThanOrEqual(180_000 * SCALE - 50);
    expect(evicted).toMatchObject({ semantics: 'eureka' });
  });

  it('self-preservation keeps a silent client listed and says so', async () => {
    const r = await registry(true);
    const svc = client(r, 'jqservice', 8080);
    await start(svc);
    const id = 'eureka:JQSERVICE:localhost:jqservice:8080';
    // One full minute of renewals (2/min > (int)(1 x 2 x 0.85) = 1): expiry enabled.
    await eventually(() => events.some((e) => e.type === 'renew-rate' && e.renewsLastMin >= 2), 'a minute with renewals', 10_000);
    clearInterval(svc.heartbeat);
    await eventually(() => events.find((e) => e.type === 'self-preservation' && e.enabled), 'self-preservation engages', 10_000);
    const from = events.length;
    // Five more model minutes: far past 2 x 90 s + the 60 s eviction run.
    await eventually(() => events.slice(from).filter((e) => e.type === 'renew-rate').length >= 5, 'five model minutes', 15_000);
    expect(leaseOf(r, id)).toBeDefined();
    expect(events.some((e) => e.type === 'evicted')).toBe(false);
    expect(r.status().faces?.eureka).toMatchObject({ selfPreservation: true, renewsLastMin: 0 });
  });

  it('one catalog: an Eureka instance is healthy in Consul, a Consul service is an Eureka app', async () => {
    const r = await registry();
    const svc = client(r, 'jqservice', 8080);
    await start(svc);
    const consul = consulOf(r);
    const healthy = (await consul.health.service({ service: 'jqservice', passing: true })) as { Service: { ID: string; Address: string; Port: number; Meta: Record<string, string> } }[];
    expect(healthy.map((h) => h.Service)).toEqual([
      expect.objectContaining({ ID: 'eureka:JQSERVICE:localhost:jqservice:8080', Address: '127.0.0.1', Port: 8080, Meta: expect.objectContaining({ 'micro-dev-face': 'eureka' }) }),
    ]);

    await consul.agent.service.register({ name: 'greeter-srv', id: 'greeter-srv-1', address: '127.0.0.1', port: 4321, check: { ttl: '1h' } as never });
    await consul.agent.check.pass({ id: 'service:greeter-srv-1' });
    const found = await eventually(async () => {
      await new Promise<void>((res) => svc.fetchRegistry(() => res()));
      return svc.getInstancesByAppId('GREETER-SRV')[0];
    }, 'the Consul service in the Eureka registry');
    expect(found).toMatchObject({ app: 'GREETER-SRV', instanceId: 'greeter-srv-1', ipAddr: '127.0.0.1', status: 'UP', port: { $: 4321 } });

    // A failing Consul check reads as DOWN, and eureka-js-client filters it out.
    await consul.agent.check.fail({ id: 'service:greeter-srv-1' });
    await eventually(async () => {
      await new Promise<void>((res) => svc.fetchRegistry(() => res()));
      return svc.getInstancesByAppId('GREETER-SRV').length === 0;
    }, 'a critical Consul instance leaves the UP list');
  });
});
