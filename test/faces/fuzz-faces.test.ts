/**
 * Fuzz of both faces (fast-check, a fresh seed each run, printed; FUZZ_SEED=n replays one): random paths,
 * methods, query strings and bodies, mixed with near-valid registrations. Properties: no request hangs or
 * gets a 5xx (except Eureka's own 500 for an unknown status value, vector E-13), the faces keep serving,
 * and the catalog stays one: every instance the Eureka face lists is in the Consul catalog and back.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../runner/clock/clock.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { JSON_HEADERS, raw } from './wire-http.ts';

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`fuzz-faces seed ${seed} (FUZZ_SEED=${seed} to replay)`);

let reg: StartedRegistry;
const clock = new ManualClock(1_700_000_000_000);
beforeAll(async () => {
  reg = await startRegistry(
    { host: '127.0.0.1', port: 0, eureka: { doubleExpiryQuirk: true, selfPreservation: true, serve: true, port: 0 }, nacos: { protectThreshold: 0, serve: true, port: 0 } },
    { clock },
  );
});
afterAll(() => reg?.stop());

const name = fc.constantFrom('jq', 'JQ', 'svc', 'a b', '%41', 'x@@y', '', 'DEFAULT_GROUP@@svc', 'delta', 'ünï');
const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.double(), fc.constantFrom('UP', 'DOWN', 'BOGUS', '8080', 'true', '-1', '1e99'));
const portValue = fc.oneof(scalar, fc.record({ $: scalar, '@enabled': scalar }, { requiredKeys: [] }));
const instance = fc.record(
  {
    app: name,
    hostName: fc.oneof(name, scalar),
    instanceId: fc.oneof(name, scalar),
    ipAddr: fc.oneof(fc.constantFrom('127.0.0.1', '::1', ''), scalar),
    port: portValue,
    securePort: portValue,
    status: scalar,
    vipAddress: fc.oneof(name, scalar),
    dataCenterInfo: fc.oneof(fc.record({ name: scalar, '@class': scalar }, { requiredKeys: [] }), scalar),
    leaseInfo: fc.oneof(fc.record({ durationInSecs: scalar, renewalIntervalInSecs: scalar }, { requiredKeys: [] }), scalar),
    metadata: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), scalar, { maxKeys: 3 }), scalar),
    lastDirtyTimestamp: scalar,
  },
  { requiredKeys: [] },
);
const eurekaBody = fc.oneof(instance.map((i) => JSON.stringify({ instance: i })), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), fc.string({ maxLength: 40 }));
const eurekaPath = fc.oneof(
  fc.tuple(fc.constantFrom('/eureka/', '/eureka/v2/', '/eureka', '/'), fc.array(fc.oneof(fc.constantFrom('apps', 'delta', 'status', 'metadata', 'instances', 'vips', 'svips'), name, fc.constantFrom('%', '%zz', '..')), { maxLength: 4 })).map(([p, s]) => p + s.join('/')),
  name.map((n) => `/eureka/apps/${n}`),
);
const nacosRoute = fc.constantFrom('instance', 'instance/list', 'instance/beat', 'service', 'service/list', 'operator/metrics', 'nope', '');
const nacosParam = fc.tuple(
  fc.constantFrom('serviceName', 'groupName', 'namespaceId', 'ip', 'port', 'weight', 'enable', 'enabled', 'healthy', 'ephemeral', 'metadata', 'clusters', 'clusterName', 'beat', 'healthyOnly', 'udpPort', 'pageNo', 'pageSize', 'protectThreshold'),
  fc.oneof(name, fc.string({ maxLength: 8 }), fc.constantFrom('1', '0', '-1', '65536', '10001', 'true', '{"ip":"1.2.3.4","port":1}', '{"ip":1}', 'k=v', 'k', '127.0.0.1', '1e3', 'NaN')),
);
const nacosQuery = fc.array(nacosParam, { maxLength: 7 }).map((ps) => new URLSearchParams(ps).toString());
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');

type Op = { face: 'eureka' | 'nacos'; method: string; path: string; body?: string; accept: string };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ face: fc.constant('eureka' as const), method, path: eurekaPath, body: fc.option(eurekaBody, { nil: undefined }), accept: fc.constantFrom('application/json', '', 'text/xml') }),
  fc.record({ face: fc.constant('eureka' as const), method: fc.constant('POST'), path: name.map((n) => `/eureka/apps/${encodeURIComponent(n)}`), body: eurekaBody, accept: fc.constant('application/json') }),
  fc.record({ face: fc.constant('nacos' as const), method, path: fc.tuple(nacosRoute, nacosQuery).map(([r, q]) => `/nacos/v1/ns/${r}?${q}`), body: fc.option(nacosQuery, { nil: undefined }), accept: fc.constant('') }),
);

async function send(o: Op): Promise<number> {
  const base = o.face === 'eureka' ? new URL(reg.eurekaUrl!).origin : reg.nacosUrl!;
  const headers: Record<string, string> = o.face === 'eureka' ? { ...JSON_HEADERS, accept: o.accept } : { 'content-type': 'application/x-www-form-urlencoded' };
  if (!headers.accept) delete headers.accept;
  const r = await raw(o.method, base + o.path, { headers, ...(o.body !== undefined && o.method !== 'GET' && o.method !== 'HEAD' ? { body: o.body } : {}) });
  return r.status;
}

describe('fuzz: the Eureka and Nacos faces', () => {
  it('never 5xx, never hang, one catalog afterwards', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        for (const o of ops) {
          const status = await send(o);
          const eurekaBogusStatus = o.face === 'eureka' && status === 500 && /\/status(\?|$)/.test(o.path);
          if (status >= 500 && !eurekaBogusStatus) throw new Error(`${o.method} ${o.path} -> ${status}`);
        }
      }),
      { numRuns: 80, seed },
    );
    // Still serving, and the catalog is one: Eureka's listing (past its response cache) = Consul's.
    const body = { instance: { app: 'after', hostName: 'h', ipAddr: '127.0.0.1', port: 1, dataCenterInfo: { name: 'MyOwn' } } };
    expect((await raw('POST', `${reg.eurekaUrl}apps/after`, { headers: JSON_HEADERS, body: JSON.stringify(body) })).status).toBe(204);
    expect((await raw('GET', `${reg.nacosUrl}/nacos/v1/ns/operator/metrics`)).status).toBe(200);
    clock.advance(30_000);
    const apps = (await raw('GET', `${reg.eurekaUrl}apps/`, { headers: { accept: 'application/json' } })).json<{ applications: { application: { instance: { instanceId?: string; hostName: string; app: string }[] }[] } }>();
    const viaEureka = apps.applications.application.flatMap((a) => a.instance.map((i) => `${i.app}|${i.instanceId ?? i.hostName}`)).sort();
    const services = (await raw('GET', `${reg.url}/v1/agent/services`)).json<Record<string, { ID: string; Service: string; Meta: Record<string, string> }>>();
    const viaConsul = Object.values(services)
      .map((s) => (s.ID.startsWith('eureka:') ? `${s.ID.split(':')[1]}|${s.ID.split(':').slice(2).join(':')}` : `${s.Service.toUpperCase()}|${s.ID}`))
      .sort();
    expect(viaEureka).toEqual(viaConsul);
    expect(viaEureka).toContain('AFTER|h');
  }, 120_000);
});
