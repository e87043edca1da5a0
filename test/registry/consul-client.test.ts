import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckOptions } from 'consul/lib/agent/check.js';
import { eventually, registryUnderTest, type RegistryUnderTest } from './registry-harness.ts';

// The client's typings demand name/timeout on every check; Consul does not.
const ttlCheck = (ttl: string) => ({ ttl }) as unknown as CheckOptions;

// Conformance through the real `consul` npm client (v2), as services and the gateway use it.
describe('registry through the consul npm client', () => {
  let reg: RegistryUnderTest;
  const ids: string[] = [];
  beforeEach(async () => {
    reg = await registryUnderTest();
  });
  afterEach(async () => {
    for (const id of ids.splice(0)) await reg.consul.agent.service.deregister(id).catch(() => {});
    await reg.stop();
  });

  it('registers with a TTL check, passes it, and lists it under health ?passing', async () => {
    const id = `web-${process.pid}-1`;
    ids.push(id);
    await reg.consul.agent.service.register({ name: 'mdtest-web', id, address: '127.0.0.1', port: 8080, tags: ['v1'], check: ttlCheck('10s') });
    const checks = (await reg.consul.agent.checks()) as Record<string, { Status: string; Type: string }>;
    expect(checks[`service:${id}`]).toMatchObject({ Status: 'critical', Type: 'ttl' });
    expect(await reg.consul.health.service({ service: 'mdtest-web', passing: true })).toEqual([]);

    await reg.consul.agent.check.pass({ id: `service:${id}`, note: 'ok' });
    const healthy = (await reg.consul.health.service({ service: 'mdtest-web', passing: true })) as {
      Service: { ID: string; Port: number; Tags: string[] };
      Checks: { CheckID: string; Status: string; Output: string }[];
    }[];
    expect(healthy).toHaveLength(1);
    expect(healthy[0].Service).toMatchObject({ ID: id, Port: 8080, Tags: ['v1'] });
    expect(healthy[0].Checks.find((c) => c.CheckID === `service:${id}`)).toMatchObject({ Status: 'passing', Output: 'ok' });
    expect(await reg.consul.catalog.services()).toMatchObject({ 'mdtest-web': ['v1'] });
    const nodes = (await reg.consul.catalog.service.nodes('mdtest-web')) as { ServiceID: string }[];
    expect(nodes.map((n) => n.ServiceID)).toEqual([id]);
  });

  it('rejects a register without a name client-side and a bad one server-side with Consul texts', async () => {
    await expect(reg.consul.agent.service.register({} as never)).rejects.toThrow('consul: agent.service.register: name required');
    // papi surfaces short text/plain bodies verbatim, longer ones as the lower-cased status text.
    await expect(reg.consul.agent.service.register({ name: 'mdtest-x', address: '0.0.0.0' })).rejects.toMatchObject({
      message: expect.stringContaining('Invalid service address'),
      statusCode: 400,
    });
    await expect(reg.consul.agent.check.pass('nope-never')).rejects.toMatchObject({ message: expect.stringContaining('not found'), statusCode: 404 });
    await expect(reg.consul.agent.service.deregister('nope-never')).rejects.toMatchObject({
      message: expect.stringContaining('not found'),
      statusCode: 404,
    });
  });

  it('watches health with blocking queries and sees a pass as a change', async () => {
    const id = `web-${process.pid}-2`;
    ids.push(id);
    await reg.consul.agent.service.register({ name: 'mdtest-watch', id, check: ttlCheck('30s') });
    const watch = reg.consul.watch({ method: reg.consul.health.service, options: { service: 'mdtest-watch', passing: true, wait: '5s' } as never });
    const seen: number[] = [];
    watch.on('change', (data: unknown[]) => seen.push(data.length));
    try {
      await eventually(() => seen.length >= 1, 'first watch result');
      expect(seen[0]).toBe(0);
      await reg.consul.agent.check.pass(`service:${id}`);
      await eventually(() => seen.includes(1), 'watch sees the passing instance');
    } finally {
      watch.end();
    }
  });

  it('round-trips KV values, keys, cas and deletes', async () => {
    const base = `mdtest-${process.pid}`;
    expect(await reg.consul.kv.set(`${base}/cfg`, 'bar')).toBe(true);
    expect(await reg.consul.kv.get(`${base}/cfg`)).toMatchObject({ Key: `${base}/cfg`, Value: 'bar', Flags: 0 });
    expect(await reg.consul.kv.get(`${base}/missing`)).toBeUndefined();
    // A `false` body resolves undefined in node-consul; the raw-HTTP vectors check the literal `false`.
    expect(await reg.consul.kv.set({ key: `${base}/cfg`, value: 'x', cas: 0 })).toBeFalsy();
    expect(await reg.consul.kv.get(`${base}/cfg`)).toMatchObject({ Value: 'bar' });
    expect(await reg.consul.kv.set({ key: `${base}/new`, value: 'y', cas: 0 })).toBe(true);
    expect(await reg.consul.kv.keys(`${base}/`)).toEqual([`${base}/cfg`, `${base}/new`]);
    const all = (await reg.consul.kv.get({ key: `${base}/`, recurse: true })) as { Key: string }[];
    expect(all.map((e) => e.Key)).toEqual([`${base}/cfg`, `${base}/new`]);
    await reg.consul.kv.del({ key: `${base}/`, recurse: true });
    expect(await reg.consul.kv.get(`${base}/cfg`)).toBeUndefined();
  });

  it('answers status.leader and agent.self', async () => {
    expect(typeof (await reg.consul.status.leader())).toBe('string');
    const self = (await reg.consul.agent.self()) as { Config: { NodeName: string } };
    expect(typeof self.Config.NodeName).toBe('string');
  });
});
