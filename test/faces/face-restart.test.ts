/**
 * A registry restart with `persist` on: Consul registrations come back from the file; instances of the
 * Eureka and Nacos faces do not (neither server keeps them: Eureka's registry and Nacos's ephemeral
 * instances live in memory), and their real clients put them back themselves: eureka-js-client 4.5.0's next
 * renew is answered 404 and it registers again; nacos-naming 2.6.3's next beat finds no instance and the
 * face registers it from the beat. The registry comes back on the same ports, as a restarted server would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Eureka } from 'eureka-js-client';
import { NacosNamingClient } from 'nacos-naming';
import { afterAll, describe, expect, it } from 'vitest';
import type { RegistryConfig } from '../../runner/config/topology.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { ConsulRegistryClient } from '../../services/kit/registry-client.ts';
import { eventually } from '../registry/registry-harness.ts';

const SCALE = 0.05;
const quiet = { debug() {}, info() {}, warn() {}, error() {}, log() {} };
let dir: string;
let reg: StartedRegistry | undefined;
let eureka: Eureka | undefined;
let nacos: NacosNamingClient | undefined;

afterAll(async () => {
  if (eureka) {
    clearInterval(eureka.heartbeat);
    clearInterval(eureka.registryFetch);
  }
  await (nacos as unknown as { close(): Promise<void> } | undefined)?.close();
  await reg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const port = (url: string) => Number(new URL(url).port);

describe('registry restart with persist: face instances come back through their clients', () => {
  it('Consul registrations are restored from the file; the Eureka and Nacos clients register again on their own', async () => {
    dir = await mkdtemp(join(tmpdir(), 'micro-dev-face-restart-'));
    const config = (ports: { consul: number; eureka: number; nacos: number }): Pick<RegistryConfig, 'host' | 'port'> & Partial<RegistryConfig> => ({
      host: '127.0.0.1',
      port: ports.consul,
      timeScale: SCALE,
      persist: join(dir, 'registry.json'),
      eureka: { doubleExpiryQuirk: true, selfPreservation: true, serve: true, port: ports.eureka },
      nacos: { protectThreshold: 0, serve: true, port: ports.nacos },
    });
    reg = await startRegistry(config({ consul: 0, eureka: 0, nacos: 0 }));
    const ports = { consul: port(reg.url), eureka: port(reg.eurekaUrl!), nacos: port(reg.nacosUrl!) };

    const consul = new ConsulRegistryClient(reg.address);
    await consul.register({ id: 'billing-1', service: 'billing', address: '127.0.0.1:7001', metadata: {}, version: 'v1', endpoints: [] }, 600_000);
    await consul.close();

    eureka = new Eureka({
      cwd: dir,
      logger: quiet,
      instance: {
        app: 'orders',
        instanceId: 'localhost:orders:7002',
        hostName: 'localhost',
        ipAddr: '127.0.0.1',
        port: { $: 7002, '@enabled': 'true' },
        vipAddress: 'orders',
        dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      },
      eureka: { host: '127.0.0.1', port: ports.eureka, servicePath: '/eureka/apps/', heartbeatInterval: 30_000 * SCALE, registryFetchInterval: 30_000 * SCALE, maxRetries: 0, fetchRegistry: false },
    });
    await new Promise<void>((resolve, reject) => eureka!.start((err) => (err ? reject(err) : resolve())));
    nacos = new NacosNamingClient({ logger: quiet as unknown as typeof console, serverList: `127.0.0.1:${ports.nacos}`, namespace: 'public' });
    await nacos.ready();
    await nacos.registerInstance('stock', { ip: '127.0.0.1', port: 7003 } as never);

    const ids = () => reg!.status().leases.map((l) => l.serviceId).sort();
    const all = ['billing-1', 'eureka:ORDERS:localhost:orders:7002', 'nacos:public:127.0.0.1#7003#DEFAULT#DEFAULT_GROUP@@stock'];
    expect(ids()).toEqual(all);

    await reg.stop();
    reg = await startRegistry(config(ports));
    // Only the Consul registration is in the file.
    expect(ids()).toEqual(['billing-1']);

    let registeredAgain = 0;
    eureka.on('registered', () => registeredAgain++);
    await eventually(() => ids().length === 3, 'the Eureka and Nacos clients to register again', 15_000);
    expect(ids()).toEqual(all);
    expect(registeredAgain).toBeGreaterThanOrEqual(1);
    // Each follows its own face's lease rules again, and is listed by the Consul API.
    const faces = Object.fromEntries(reg.status().leases.map((l) => [l.serviceId, l.face]));
    expect(faces).toEqual({ [all[0]!]: 'consul', [all[1]!]: 'eureka', [all[2]!]: 'nacos' });
    const stock = (await (await fetch(`${reg.url}/v1/health/service/stock?passing`)).json()) as unknown[];
    expect(stock).toHaveLength(1);
  }, 60_000);
});
