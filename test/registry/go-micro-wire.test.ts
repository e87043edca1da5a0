import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, registryUnderTest, type RegistryUnderTest } from './registry-harness.ts';

// The exact request shapes go-micro's consul registry sends through hashicorp/consul/api (reference §2.2).
describe('go-micro consul registry wire shapes', () => {
  let r: RegistryUnderTest;
  const id = `go.micro.srv.mdtest-${process.pid}`;
  const name = 'go.micro.srv.mdtest';
  beforeAll(async () => {
    r = await registryUnderTest();
  });
  afterAll(async () => {
    await http(`${r.url}/v1/agent/service/deregister/${id}`, 'PUT');
    await r.stop();
  });

  it('probes agent/host, registers, heartbeats, looks up with ?stale=, watches without wait', async () => {
    expect((await http(`${r.url}/v1/agent/host`)).status).toBe(200);
    const body = {
      ID: id,
      Name: name,
      Tags: ['v-789c2a', 'e-789c4b'],
      Port: 54321,
      Address: '127.0.0.1',
      Meta: { broker: 'http', protocol: 'mucp', registry: 'consul', server: 'mucp', transport: 'http' },
      Check: { TTL: '1m30s', DeregisterCriticalServiceAfter: '1m35s' },
      Checks: null,
    };
    const reg = await http(`${r.url}/v1/agent/service/register`, 'PUT', JSON.stringify(body));
    expect([reg.status, reg.text]).toEqual([200, '']);
    expect((await http(`${r.url}/v1/agent/check/pass/service:${id}?note=`, 'PUT')).status).toBe(200);

    const found = await http(`${r.url}/v1/health/service/${name}?stale=`);
    const entries = found.json() as { Service: { ID: string; Address: string; Port: number; Meta: Record<string, string> }; Node: { Address: string }; Checks: { Status: string }[] }[];
    expect(entries).toHaveLength(1);
    expect(entries[0].Service).toMatchObject({ ID: id, Address: '127.0.0.1', Port: 54321, Meta: body.Meta });
    expect(entries[0].Checks.every((c) => c.Status === 'passing')).toBe(true);
    expect(found.headers.get('x-consul-lastcontact')).toMatch(/^\d+$/);

    const checks = (await http(`${r.url}/v1/health/checks/${name}?stale=`)).json() as { CheckID: string }[];
    expect(checks.map((c) => c.CheckID)).toEqual([`service:${id}`]);
    expect(Object.keys((await http(`${r.url}/v1/catalog/services?stale=`)).json() as object)).toContain(name);

    // api/watch "service": blocks on ?index=N with no wait; a deregister releases it.
    const index = found.headers.get('x-consul-index');
    const watch = http(`${r.url}/v1/health/service/${name}?index=${index}`);
    await http(`${r.url}/v1/agent/service/deregister/${id}`, 'PUT');
    const after = await watch;
    expect(Number(after.headers.get('x-consul-index'))).toBeGreaterThan(Number(index));
    expect(after.json()).toEqual([]);
  });
});
