/**
 * The Eureka conformance vectors of reference/registry-wire.md §1.8 (E-1..E-16), one table row each, over
 * raw HTTP against the Eureka face. A ManualClock drives the lease clock, so the 30 s response cache is
 * stepped past explicitly (`settle`).
 */
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../runner/clock/clock.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { JSON_HEADERS, raw } from './wire-http.ts';

const JS_BODY = {
  instance: {
    app: 'jqservice',
    hostName: 'localhost',
    ipAddr: '127.0.0.1',
    port: { $: 8080, '@enabled': 'true' },
    vipAddress: 'jq.vip',
    dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
    status: 'UP',
  },
};

type Instance = Record<string, unknown>;
type Apps = { applications: { versions__delta: string; apps__hashcode: string; application: { name: string; instance: Instance[] }[] } };

interface Ctx {
  base: string;
  clock: ManualClock;
  register(body?: unknown, app?: string): Promise<number>;
  apps(): Promise<Apps>;
  settle(): void;
}

const withInstance = (patch: Instance, drop: string[] = []) => {
  const instance: Instance = { ...JS_BODY.instance, ...patch };
  for (const k of drop) delete instance[k];
  return { instance };
};

const vectors: { id: string; run(c: Ctx): Promise<void> }[] = [
  {
    id: 'E-1 register 204 empty, GET instance JSON',
    async run(c) {
      const r = await raw('POST', `${c.base}apps/jqservice`, { headers: JSON_HEADERS, body: JSON.stringify(JS_BODY) });
      expect(r.status).toBe(204);
      expect(r.body.length).toBe(0);
      c.settle();
      const g = await raw('GET', `${c.base}apps/JQSERVICE/localhost`, { headers: { accept: 'application/json' } });
      expect(g.status).toBe(200);
      const inst = g.json<{ instance: Instance }>().instance;
      expect(inst).toMatchObject({ hostName: 'localhost', app: 'JQSERVICE', port: { $: 8080, '@enabled': 'true' }, status: 'UP' });
    },
  },
  {
    id: 'E-2 full registry JSON: versions__delta 1, UP_1_, JQSERVICE',
    async run(c) {
      expect(await c.register()).toBe(204);
      c.settle();
      const a = await c.apps();
      expect(a.applications.versions__delta).toBe('1');
      expect(a.applications.apps__hashcode).toBe('UP_1_');
      expect(a.applications.application[0].name).toBe('JQSERVICE');
    },
  },
  {
    id: 'E-3 no Accept: XML rooted at <applications>',
    async run(c) {
      await c.register();
      c.settle();
      const r = await raw('GET', `${c.base}apps/`);
      expect(r.headers['content-type']).toBe('application/xml');
      expect(r.text).toMatch(/^<applications><versions__delta>1<\/versions__delta><apps__hashcode>UP_1_<\/apps__hashcode><application><name>JQSERVICE<\/name>/);
      expect(r.text).toContain('<port enabled="true">8080</port>');
      expect(r.text).toContain('<dataCenterInfo class="com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo"><name>MyOwn</name>');
      expect(r.text).toContain('<overriddenstatus>UNKNOWN</overriddenstatus>');
    },
  },
  {
    id: 'E-4 gzip: Content-Encoding gzip, gunzipped equals the plain body',
    async run(c) {
      await c.register();
      c.settle();
      const plain = await raw('GET', `${c.base}apps/`, { headers: { accept: 'application/json' } });
      const z = await raw('GET', `${c.base}apps/`, { headers: { accept: 'application/json', 'accept-encoding': 'gzip' } });
      expect(z.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(z.body).toString()).toBe(plain.text);
    },
  },
  {
    id: 'E-5 renew 200, unknown id 404',
    async run(c) {
      await c.register();
      expect((await raw('PUT', `${c.base}apps/JQSERVICE/localhost`)).status).toBe(200);
      expect((await raw('PUT', `${c.base}apps/JQSERVICE/nope`)).status).toBe(404);
    },
  },
  {
    id: 'E-6 renew with a newer lastDirtyTimestamp 404, older 200',
    async run(c) {
      await c.register(withInstance({ lastDirtyTimestamp: '1000' }));
      expect((await raw('PUT', `${c.base}apps/JQSERVICE/localhost?status=UP&lastDirtyTimestamp=2000`)).status).toBe(404);
      expect((await raw('PUT', `${c.base}apps/JQSERVICE/localhost?status=UP&lastDirtyTimestamp=500`)).status).toBe(200);
    },
  },
  {
    id: 'E-7 cancel 200, again 404',
    async run(c) {
      await c.register();
      expect((await raw('DELETE', `${c.base}apps/JQSERVICE/localhost`)).status).toBe(200);
      expect((await raw('DELETE', `${c.base}apps/JQSERVICE/localhost`)).status).toBe(404);
    },
  },
  {
    id: 'E-8 Missing hostname; Mismatched appName',
    async run(c) {
      const a = await raw('POST', `${c.base}apps/jqservice`, { headers: JSON_HEADERS, body: JSON.stringify(withInstance({}, ['hostName'])) });
      expect([a.status, a.text]).toEqual([400, 'Missing hostname']);
      const b = await raw('POST', `${c.base}apps/FOO`, { headers: JSON_HEADERS, body: JSON.stringify(withInstance({ app: 'bar' })) });
      expect([b.status, b.text]).toEqual([400, 'Mismatched appName, expecting FOO but was BAR']);
    },
  },
  {
    id: 'E-9 Missing dataCenterInfo',
    async run(c) {
      const r = await raw('POST', `${c.base}apps/jqservice`, { headers: JSON_HEADERS, body: JSON.stringify(withInstance({}, ['dataCenterInfo'])) });
      expect([r.status, r.text]).toEqual([400, 'Missing dataCenterInfo']);
    },
  },
  {
    id: 'E-10 unknown app 404',
    async run(c) {
      expect((await raw('GET', `${c.base}apps/NOPE`, { headers: { accept: 'application/json' } })).status).toBe(404);
    },
  },
  {
    id: 'E-11 2 UP + 1 DOWN: DOWN_1_UP_2_',
    async run(c) {
      await c.register(withInstance({ hostName: 'a', instanceId: 'a' }));
      await c.register(withInstance({ hostName: 'b', instanceId: 'b' }));
      await c.register(withInstance({ hostName: 'c', instanceId: 'c', status: 'DOWN' }));
      c.settle();
      expect((await c.apps()).applications.apps__hashcode).toBe('DOWN_1_UP_2_');
    },
  },
  {
    id: 'E-12 register + cancel: delta has ADDED and DELETED, hash without A',
    async run(c) {
      await c.register();
      await raw('DELETE', `${c.base}apps/JQSERVICE/localhost`);
      c.settle();
      const d = (await raw('GET', `${c.base}apps/delta`, { headers: { accept: 'application/json' } })).json<Apps>();
      const actions = d.applications.application.flatMap((a) => a.instance.map((i) => i.actionType));
      expect(actions).toEqual(['ADDED', 'DELETED']);
      expect(d.applications.apps__hashcode).toBe('');
    },
  },
  {
    id: 'E-13 status override OUT_OF_SERVICE; BOGUS 500',
    async run(c) {
      await c.register();
      expect((await raw('PUT', `${c.base}apps/JQSERVICE/localhost/status?value=OUT_OF_SERVICE`)).status).toBe(200);
      c.settle();
      const inst = (await raw('GET', `${c.base}apps/JQSERVICE/localhost`, { headers: { accept: 'application/json' } })).json<{ instance: Instance }>().instance;
      expect([inst.status, inst.overriddenStatus]).toEqual(['OUT_OF_SERVICE', 'OUT_OF_SERVICE']);
      expect((await raw('PUT', `${c.base}apps/JQSERVICE/localhost/status?value=BOGUS`)).status).toBe(500);
    },
  },
  {
    id: 'E-14 empty metadata as EmptyMap; @class dropped from metadata',
    async run(c) {
      await c.register(withInstance({ hostName: 'm1', instanceId: 'm1', metadata: {} }));
      await c.register(withInstance({ hostName: 'm2', instanceId: 'm2', metadata: { '@class': 'java.util.HashMap', zone: 'a' } }));
      c.settle();
      const get = async (id: string) => (await raw('GET', `${c.base}apps/JQSERVICE/${id}`, { headers: { accept: 'application/json' } })).json<{ instance: Instance }>().instance;
      expect((await get('m1')).metadata).toEqual({ '@class': 'java.util.Collections$EmptyMap' });
      expect((await get('m2')).metadata).toEqual({ zone: 'a' });
    },
  },
  {
    id: 'E-15 same hostName, no instanceId: one instance, last writer wins',
    async run(c) {
      await c.register(withInstance({ port: { $: 8080, '@enabled': 'true' } }));
      await c.register(withInstance({ port: { $: 8081, '@enabled': 'true' } }));
      c.settle();
      const a = await c.apps();
      expect(a.applications.application[0].instance.map((i) => (i.port as { $: number }).$)).toEqual([8081]);
    },
  },
  {
    id: 'E-16 lastRenewalTimestamp = renew time + durationInSecs*1000',
    async run(c) {
      await c.register();
      c.clock.advance(5000);
      const renewedAt = c.clock.now();
      await raw('PUT', `${c.base}apps/JQSERVICE/localhost`);
      c.settle();
      const inst = (await raw('GET', `${c.base}apps/JQSERVICE/localhost`, { headers: { accept: 'application/json' } })).json<{ instance: Instance }>().instance;
      expect((inst.leaseInfo as { lastRenewalTimestamp: number }).lastRenewalTimestamp).toBe(renewedAt + 90_000);
    },
  },
];

describe('Eureka face: conformance vectors (registry-wire.md §1.8)', () => {
  let reg: StartedRegistry;
  let ctx: Ctx;

  beforeEach(async () => {
    const clock = new ManualClock(1_700_000_000_000);
    reg = await startRegistry({ host: '127.0.0.1', port: 0, eureka: { doubleExpiryQuirk: true, selfPreservation: true, serve: true, port: 0 } }, { clock });
    const base = reg.eurekaUrl!;
    ctx = {
      base,
      clock,
      register: async (body = JS_BODY, app = 'jqservice') =>
        (await raw('POST', `${base}apps/${app}`, { headers: JSON_HEADERS, body: JSON.stringify(body) })).status,
      apps: async () => (await raw('GET', `${base}apps/`, { headers: { accept: 'application/json' } })).json<Apps>(),
      settle: () => clock.advance(30_000),
    };
  });
  afterEach(() => reg.stop());

  it.each(vectors.map((v) => [v.id, v] as const))('%s', async (_id, v) => {
    await v.run(ctx);
  });

  it('serves the same routes under /eureka/v2/', async () => {
    const v2 = ctx.base.replace('/eureka/', '/eureka/v2/');
    expect((await raw('POST', `${v2}apps/jqservice`, { headers: JSON_HEADERS, body: JSON.stringify(JS_BODY) })).status).toBe(204);
    ctx.settle();
    expect((await raw('GET', `${v2}apps/jqservice/localhost`, { headers: { accept: 'application/json' } })).status).toBe(200);
  });

  it('reads see the 30 s response cache', async () => {
    await ctx.register();
    expect((await ctx.apps()).applications.application).toEqual([]);
    ctx.settle();
    expect((await ctx.apps()).applications.application).toHaveLength(1);
  });
});
