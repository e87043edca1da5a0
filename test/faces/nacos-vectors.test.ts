/**
 * The Nacos conformance vectors of reference/registry-wire.md §2.7 (A-1..A-18), one table row each, over
 * raw HTTP (and UDP for A-15) against the Nacos face. A ManualClock drives the lease clock.
 */
import { createSocket } from 'node:dgram';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../runner/clock/clock.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { eventually } from '../registry/registry-harness.ts';
import { raw } from './wire-http.ts';

const NS = '/nacos/v1/ns';
const UA = { 'user-agent': 'Nacos-Java-Client:v1.0.0' };
const A1 = `${NS}/instance?serviceName=DEFAULT_GROUP@@svc&groupName=DEFAULT_GROUP&ip=1.2.3.4&port=8080&weight=1&enable=true&healthy=true&ephemeral=true&metadata=${encodeURIComponent('{"k":"v"}')}&namespaceId=public`;

interface Ctx {
  url: string;
  clock: ManualClock;
  call(method: string, path: string): Promise<{ status: number; text: string; json<T = Record<string, unknown>>(): T }>;
}
type Host = Record<string, unknown>;
type List = { name: string; clusters: string; cacheMillis: number; hosts: Host[] };

const list = async (c: Ctx, q = 'serviceName=DEFAULT_GROUP@@svc&clusters=&udpPort=0&healthyOnly=false') => (await c.call('GET', `${NS}/instance/list?${q}`)).json<List>();

const vectors: { id: string; run(c: Ctx): Promise<void> }[] = [
  {
    id: 'A-1 register with query params and an empty body: 200 ok',
    async run(c) {
      const r = await c.call('POST', A1);
      expect([r.status, r.text]).toEqual([200, 'ok']);
    },
  },
  {
    id: 'A-2 list: grouped name, clusters "", cacheMillis 10000, the instance id format',
    async run(c) {
      await c.call('POST', A1);
      const l = await list(c);
      expect(l).toMatchObject({ name: 'DEFAULT_GROUP@@svc', clusters: '', cacheMillis: 10000 });
      expect(l.hosts).toEqual([expect.objectContaining({ instanceId: '1.2.3.4#8080#DEFAULT#DEFAULT_GROUP@@svc', healthy: true, metadata: { k: 'v' } })]);
    },
  },
  {
    id: 'A-3 serviceName without group: the identical body',
    async run(c) {
      await c.call('POST', A1);
      const a = await list(c);
      const b = await list(c, 'serviceName=svc&clusters=&udpPort=0&healthyOnly=false');
      expect({ ...b, lastRefTime: 0 }).toEqual({ ...a, lastRefTime: 0 });
    },
  },
  {
    id: 'A-4 clusters=DEFAULT is echoed',
    async run(c) {
      await c.call('POST', A1);
      expect((await list(c, 'serviceName=DEFAULT_GROUP@@svc&clusters=DEFAULT')).clusters).toBe('DEFAULT');
    },
  },
  {
    id: 'A-5 unknown service: 200 with hosts []',
    async run(c) {
      const r = await c.call('GET', `${NS}/instance/list?serviceName=unknown`);
      expect(r.status).toBe(200);
      expect(r.json<List>().hosts).toEqual([]);
    },
  },
  {
    id: 'A-6 beat with a body for an unknown instance registers it',
    async run(c) {
      const beat = encodeURIComponent('{"ip":"5.6.7.8","port":9,"cluster":"DEFAULT","weight":1,"metadata":{},"scheduled":true,"serviceName":"DEFAULT_GROUP@@svc"}');
      const r = await c.call('PUT', `${NS}/instance/beat?serviceName=DEFAULT_GROUP@@svc&beat=${beat}`);
      expect(r.json()).toEqual({ clientBeatInterval: 5000, code: 10200, lightBeatEnabled: true });
      expect((await list(c)).hosts.map((h) => `${h.ip}:${h.port}`)).toEqual(['5.6.7.8:9']);
    },
  },
  {
    id: 'A-7 light beat (no body) for an unknown instance: code 20404',
    async run(c) {
      const r = await c.call('PUT', `${NS}/instance/beat?serviceName=DEFAULT_GROUP@@svc&ip=9.9.9.9&port=1&clusterName=DEFAULT`);
      expect(r.json()).toMatchObject({ code: 20404, clientBeatInterval: 5000 });
    },
  },
  {
    id: 'A-8 preserved.heart.beat.interval is the clientBeatInterval',
    async run(c) {
      const md = encodeURIComponent('{"preserved.heart.beat.interval":"1000"}');
      await c.call('POST', `${NS}/instance?serviceName=DEFAULT_GROUP@@svc&ip=1.2.3.4&port=8080&metadata=${md}`);
      const r = await c.call('PUT', `${NS}/instance/beat?serviceName=DEFAULT_GROUP@@svc&ip=1.2.3.4&port=8080&clusterName=DEFAULT`);
      expect(r.json()).toMatchObject({ clientBeatInterval: 1000, code: 10200 });
    },
  },
  {
    id: 'A-9 deregister: ok, then hosts []',
    async run(c) {
      await c.call('POST', A1);
      const r = await c.call('DELETE', `${NS}/instance?serviceName=DEFAULT_GROUP@@svc&clusterName=DEFAULT&ip=1.2.3.4&port=8080&ephemeral=true`);
      expect([r.status, r.text]).toEqual([200, 'ok']);
      expect((await list(c)).hosts).toEqual([]);
    },
  },
  {
    id: 'A-10 weight 10001: 400 weights range',
    async run(c) {
      const r = await c.call('POST', `${NS}/instance?serviceName=DEFAULT_GROUP@@svc&ip=1.2.3.4&port=8080&weight=10001`);
      expect([r.status, r.text]).toEqual([400, 'instance format invalid: The weights range from 0.0 to 10000.0']);
    },
  },
  {
    id: "A-11 no ip: 400 Param 'ip' is required.",
    async run(c) {
      const r = await c.call('POST', `${NS}/instance?serviceName=DEFAULT_GROUP@@svc&port=8080`);
      expect([r.status, r.text]).toEqual([400, "Param 'ip' is required."]);
    },
  },
  {
    id: 'A-12 service list: grouped doms; pageNo required',
    async run(c) {
      await c.call('POST', A1);
      expect((await c.call('GET', `${NS}/service/list?pageNo=1&pageSize=10&groupName=DEFAULT_GROUP`)).json()).toEqual({ count: 1, doms: ['DEFAULT_GROUP@@svc'] });
      const r = await c.call('GET', `${NS}/service/list?pageSize=10`);
      expect([r.status, r.text]).toEqual([400, "Param 'pageNo' is required."]);
    },
  },
  {
    id: 'A-13 operator/metrics: {"status":"UP"}',
    async run(c) {
      expect((await c.call('GET', `${NS}/operator/metrics`)).json()).toEqual({ status: 'UP' });
    },
  },
  {
    id: 'A-14 enable=false: kept but absent from the list',
    async run(c) {
      await c.call('POST', `${NS}/instance?serviceName=DEFAULT_GROUP@@svc&ip=1.2.3.4&port=8080&enable=false`);
      expect((await list(c)).hosts).toEqual([]);
      const detail = await c.call('GET', `${NS}/service?serviceName=DEFAULT_GROUP@@svc`);
      expect(detail.status).toBe(400); // no enabled host and no service record: Nacos's "is not found!"
    },
  },
  {
    id: 'A-15 UDP push to a subscriber on a change; a push-ack settles it',
    async run(c) {
      const sock = createSocket('udp4');
      const packets: { type: string; data: string; lastRefTime: number }[] = [];
      sock.on('message', (msg, rinfo) => {
        const text = (msg[0] === 0x1f ? gunzipSync(msg) : msg).toString();
        const p = JSON.parse(text) as { type: string; data: string; lastRefTime: number };
        packets.push(p);
        sock.send(JSON.stringify({ type: 'push-ack', lastRefTime: p.lastRefTime, data: '' }), rinfo.port, rinfo.address);
      });
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      try {
        await c.call('POST', A1);
        await c.call('GET', `${NS}/instance/list?serviceName=DEFAULT_GROUP@@svc&clusters=&udpPort=${sock.address().port}&clientIP=127.0.0.1&healthyOnly=false`);
        await c.call('POST', `${NS}/instance?serviceName=DEFAULT_GROUP@@svc&ip=1.2.3.5&port=8080`);
        const dom = await eventually(() => packets.find((p) => p.type === 'dom' && (JSON.parse(p.data) as List).hosts.length === 2), 'a dom push with 2 hosts');
        expect((JSON.parse(dom.data) as List).name).toBe('DEFAULT_GROUP@@svc');
      } finally {
        sock.close();
      }
    },
  },
  {
    id: 'A-16 no beats: unhealthy after 15-20 s, gone after 30-35 s',
    async run(c) {
      await c.call('POST', A1);
      c.clock.advance(14_000);
      expect((await list(c)).hosts[0].healthy).toBe(true);
      c.clock.advance(6_000);
      expect((await list(c)).hosts[0].healthy).toBe(false);
      c.clock.advance(9_000);
      expect((await list(c)).hosts).toHaveLength(1);
      c.clock.advance(6_000);
      expect((await list(c)).hosts).toEqual([]);
    },
  },
  {
    id: 'A-17 Nacos 3 profile (admin_api false): PUT /instance answers 410',
    async run(c) {
      const r3 = await startRegistry({ host: '127.0.0.1', port: 0, nacos: { protectThreshold: 0, serve: true, port: 0, adminApi: false } });
      try {
        expect((await raw('PUT', `${r3.nacosUrl}${NS}/instance?serviceName=svc&ip=1.2.3.4&port=1`)).status).toBe(410);
        expect((await raw('POST', `${r3.nacosUrl}${A1}`)).status).toBe(200);
      } finally {
        await r3.stop();
      }
      void c;
    },
  },
  {
    id: 'A-18 POST /service makes a persistent service; an ephemeral register into it is 400',
    async run(c) {
      expect((await c.call('POST', `${NS}/service?serviceName=DEFAULT_GROUP@@p&protectThreshold=0.5`)).text).toBe('ok');
      const r = await c.call('POST', `${NS}/instance?serviceName=DEFAULT_GROUP@@p&ip=1.2.3.4&port=8080`);
      expect([r.status, r.text]).toEqual([400, "Current service DEFAULT_GROUP@@p is persistent service, can't register ephemeral instance."]);
      const missing = await c.call('PUT', `${NS}/service?serviceName=DEFAULT_GROUP@@nope&protectThreshold=0.5`);
      expect([missing.status, missing.text]).toEqual([400, 'service DEFAULT_GROUP@@nope not found!']);
    },
  },
];

describe('Nacos face: conformance vectors (registry-wire.md §2.7)', () => {
  let reg: StartedRegistry | undefined;
  afterEach(async () => {
    await reg?.stop();
    reg = undefined;
  });

  it.each(vectors.map((v) => [v.id, v] as const))('%s', async (_id, v) => {
    const clock = new ManualClock(1_700_000_000_000);
    reg = await startRegistry({ host: '127.0.0.1', port: 0, nacos: { protectThreshold: 0, serve: true, port: 0 } }, { clock });
    const url = reg.nacosUrl!;
    await v.run({ url, clock, call: (method, path) => raw(method, `${url}${path}`, { headers: UA }) });
  });
});
