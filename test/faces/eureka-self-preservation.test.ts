/**
 * Self-preservation for real Eureka clients, as the `heartbeat-loss-eureka` scenario shows it for the
 * simulated ones: four eureka-js-client 4.5.0 instances renew through the Eureka face, three of them (75 %)
 * go silent at once (the process hangs: no renew, no cancel). Renewals fall under 85 % of the expected rate,
 * self-preservation engages and nobody is evicted; once they renew again it ends. The control (self-
 * preservation off, `heartbeat-loss-eureka-unprotected`) evicts every silent one and keeps the renewing one.
 * timeScale 0.01: a renew every 300 ms, a 90 s lease 0.9 s (expiry at 2x), a model minute 0.6 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Eureka } from 'eureka-js-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegistryEvent } from '../../runner/registry/registry-types.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { eventually } from '../registry/registry-harness.ts';

const SCALE = 0.01;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const cwd = mkdtempSync(join(tmpdir(), 'eureka-sp-'));
process.on('exit', () => rmSync(cwd, { recursive: true, force: true }));

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

async function fourClients(selfPreservation: boolean): Promise<{ r: StartedRegistry; ids: string[] }> {
  const r = (reg = await startRegistry({ host: '127.0.0.1', port: 0, timeScale: SCALE, eureka: { doubleExpiryQuirk: true, selfPreservation, serve: true, port: 0 } }));
  r.subscribe((e) => events.push(e));
  const url = new URL(r.eurekaUrl!);
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const port = 8081 + i;
    const c = new Eureka({
      cwd,
      logger: quiet,
      instance: {
        app: 'orders',
        instanceId: `localhost:orders:${port}`,
        hostName: 'localhost',
        ipAddr: '127.0.0.1',
        port: { $: port, '@enabled': 'true' },
        vipAddress: 'orders',
        dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      },
      eureka: { host: url.hostname, port: Number(url.port), servicePath: '/eureka/apps/', heartbeatInterval: 30_000 * SCALE, registryFetchInterval: 30_000 * SCALE, maxRetries: 0, fetchRegistry: false },
    });
    clients.push(c);
    await new Promise<void>((resolve, reject) => c.start((err) => (err ? reject(err) : resolve())));
    ids.push(`eureka:ORDERS:localhost:orders:${port}`);
  }
  // A full model minute with all four renewing (8/min > (int)(4 x 2 x 0.85) = 6): expiry on.
  await eventually(() => events.some((e) => e.type === 'renew-rate' && e.renewsLastMin >= 7), 'a model minute with every client renewing', 15_000);
  expect(r.status().faces?.eureka?.selfPreservation).toBe(false);
  return { r, ids };
}

const listed = (r: StartedRegistry, ids: string[]) => ids.filter((id) => r.status().leases.some((l) => l.serviceId === id));

describe('Eureka self-preservation with eureka-js-client instances', () => {
  it('75 % go silent at once: self-preservation engages, nobody is evicted, and it ends once they renew again', async () => {
    const { r, ids } = await fourClients(true);
    const silent = clients.slice(1);
    for (const c of silent) clearInterval(c.heartbeat);
    const engaged = await eventually(() => events.find((e) => e.type === 'self-preservation' && e.enabled), 'self-preservation to engage', 15_000);
    expect(engaged).toMatchObject({ renewsLastMin: expect.any(Number), threshold: 6 });
    const from = events.length;
    // Five more model minutes: far past 2 x 90 s + the 60 s eviction run for every silent one.
    await eventually(() => events.slice(from).filter((e) => e.type === 'renew-rate').length >= 5, 'five model minutes', 15_000);
    expect(listed(r, ids)).toEqual(ids);
    expect(events.filter((e) => e.type === 'evicted')).toEqual([]);
    // The network comes back: the same clients renew again (their leases were kept, so no 404 and no re-register).
    for (const c of silent) c.startHeartbeats();
    await eventually(() => events.slice(from).find((e) => e.type === 'self-preservation' && !e.enabled), 'self-preservation to end', 15_000);
    expect(listed(r, ids)).toEqual(ids);
  }, 60_000);

  it('the control (self-preservation off): every silent client is evicted, the renewing one stays', async () => {
    const { r, ids } = await fourClients(false);
    for (const c of clients.slice(1)) clearInterval(c.heartbeat);
    await eventually(() => listed(r, ids).length === 1, 'the three silent clients to be evicted', 15_000);
    expect(listed(r, ids)).toEqual([ids[0]]);
    expect(events.filter((e) => e.type === 'evicted').map((e) => (e as { serviceId: string }).serviceId).sort()).toEqual(ids.slice(1).sort());
    expect(events.some((e) => e.type === 'self-preservation' && e.enabled)).toBe(false);
  }, 60_000);
});
