import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { http, realConsulAddress, registryUnderTest, type RegistryUnderTest } from './registry-harness.ts';

/**
 * reference/registry.md §6 vectors over raw HTTP (exact status codes and texts). Runs against a real
 * Consul when CONSUL_HTTP_ADDR is set; vectors marked `embeddedOnly` describe our documented choices.
 */
interface Vector {
  n: string;
  setup?: [method: string, path: string, body?: string][];
  method?: string;
  path: string;
  body?: string;
  status: number;
  text?: string;
  json?: unknown;
  headers?: Record<string, string>;
  embeddedOnly?: boolean;
}

const reg = (body: unknown): [string, string, string] => ['PUT', '/v1/agent/service/register', JSON.stringify(body)];
const REG = '/v1/agent/service/register';
const NOT_FOUND_CHECK = 'Unknown check ID "nope". Ensure that the check ID is passed, not the check name.';

const vectors: Vector[] = [
  { n: '1 minimal register', method: 'PUT', path: REG, body: '{"Name":"web"}', status: 200, text: '' },
  { n: '2 missing name', method: 'PUT', path: REG, body: '{}', status: 400, text: 'Missing service name' },
  { n: '3 any address', method: 'PUT', path: REG, body: '{"Name":"web","Address":"0.0.0.0"}', status: 400, text: 'Invalid service address' },
  { n: '4 unknown field', method: 'PUT', path: REG, body: '{"Name":"web","Bogus":1}', status: 400, text: 'Request decode failed: json: unknown field "Bogus"' },
  { n: '5 Go nil checks', method: 'PUT', path: REG, body: '{"Name":"web","Check":null,"Checks":null}', status: 200, text: '' },
  { n: '5 empty check', method: 'PUT', path: REG, body: '{"Name":"web","Check":{}}', status: 200, text: '' },
  {
    n: '6 DCSA alone',
    method: 'PUT',
    path: REG,
    body: '{"Name":"web","Check":{"DeregisterCriticalServiceAfter":"1m"}}',
    status: 400,
    text: 'Invalid check: TTL must be > 0 for TTL checks',
  },
  {
    n: '7 TTL and Interval',
    method: 'PUT',
    path: REG,
    body: '{"Name":"web","Check":{"TTL":"10s","Interval":"10s"}}',
    status: 400,
    text: 'Invalid check: Interval and TTL cannot both be specified',
  },
  {
    n: '7 HTTP without interval',
    method: 'PUT',
    path: REG,
    body: '{"Name":"web","Check":{"HTTP":"http://127.0.0.1:1/"}}',
    status: 400,
    text: 'Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks',
  },
  {
    n: '8 bad status',
    method: 'PUT',
    path: REG,
    body: '{"Name":"web","Check":{"TTL":"10s","Status":"up"}}',
    status: 400,
    text: "Status for checks must 'passing', 'warning', 'critical'",
  },
  {
    n: '9 reserved meta',
    method: 'PUT',
    path: REG,
    body: '{"Name":"web","Meta":{"consul-x":"1"}}',
    status: 400,
    text: "Invalid Service Meta: Couldn't load metadata pair ('consul-x', '1'): Key prefix 'consul-' is reserved for internal use",
  },
  {
    n: '9 meta charset',
    method: 'PUT',
    path: REG,
    body: '{"Name":"web","Meta":{"a.b":"1"}}',
    status: 400,
    text: "Invalid Service Meta: Couldn't load metadata pair ('a.b', '1'): Key contains invalid characters",
  },
  {
    n: '9 65 meta keys',
    method: 'PUT',
    path: REG,
    body: JSON.stringify({ Name: 'web', Meta: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) }),
    status: 400,
    text: 'Invalid Service Meta: Node metadata cannot contain more than 64 key/value pairs',
  },
  {
    n: '10 bad duration',
    method: 'PUT',
    path: REG,
    body: '{"Name":"web","Check":{"TTL":"5 s"}}',
    status: 400,
    text: 'Request decode failed: time: unknown unit " s" in duration "5 s"',
    embeddedOnly: true,
  },
  { n: '16 GET on pass', setup: [reg({ Name: 'web', Check: { TTL: '10s' } })], path: '/v1/agent/check/pass/service:web', status: 405, text: 'method GET not allowed', headers: { allow: 'OPTIONS,PUT' } },
  { n: '17 pass unknown', method: 'PUT', path: '/v1/agent/check/pass/nope', status: 404, text: NOT_FOUND_CHECK },
  {
    n: '18 pass on an HTTP check',
    setup: [reg({ Name: 'web', Check: { HTTP: 'http://127.0.0.1:1/', Interval: '1h' } })],
    method: 'PUT',
    path: '/v1/agent/check/pass/service:web',
    status: 500,
    text: 'CheckID "service:web" does not have associated TTL',
  },
  {
    n: '19 update bad status',
    setup: [reg({ Name: 'web', Check: { TTL: '10s' } })],
    method: 'PUT',
    path: '/v1/agent/check/update/service:web',
    body: '{"Status":"bogus"}',
    status: 400,
    text: "Invalid check status: 'bogus'",
  },
  {
    n: '24 deregister unknown',
    method: 'PUT',
    path: '/v1/agent/service/deregister/x',
    status: 404,
    text: 'Unknown service ID "x". Ensure that the service ID is passed, not the service name.',
  },
  { n: '24 catalog after deregister', path: '/v1/catalog/service/web', status: 200, json: [] },
  { n: '25 bad passing', path: '/v1/health/service/web?passing=maybe', status: 400, text: 'Invalid value for ?passing' },
  // A server agent always lists its own `consul` service.
  { n: '28 empty catalog', path: '/v1/catalog/services', status: 200, json: { consul: [] } },
  { n: '31 bad wait', path: '/v1/health/service/web?index=1&wait=abc', status: 400, text: 'Invalid wait time' },
  { n: '31 bad index', path: '/v1/health/service/web?index=-1', status: 400, text: 'Invalid index' },
  {
    n: '31 stale and consistent',
    path: '/v1/health/service/web?stale&consistent',
    status: 400,
    text: 'Cannot specify ?stale with ?consistent, conflicting semantics.',
  },
  { n: '34 missing KV key', method: 'PUT', path: '/v1/kv/', body: 'x', status: 400, text: 'Missing key name' },
  { n: '34 empty keys', path: '/v1/kv/?keys', status: 200, json: [], embeddedOnly: true },
  { n: '34 conflicting flags', method: 'PUT', path: '/v1/kv/a?cas=1&acquire=s', body: 'x', status: 400, text: 'Conflicting flags: cas=1&acquire=s' },
  { n: 'unknown path', path: '/v1/nope', status: 404, text: 'Invalid URL path: not a recognized HTTP API endpoint\n', embeddedOnly: true },
  { n: 'missing service name', path: '/v1/health/service/', status: 400, text: 'Missing service name' },
  { n: 'missing check state', path: '/v1/health/state/', status: 400, text: 'Missing check state' },
];

describe('conformance vectors (raw HTTP)', () => {
  let r: RegistryUnderTest;
  beforeAll(async () => {
    r = await registryUnderTest();
  });
  afterAll(() => r.stop());
  beforeEach(async () => {
    await http(`${r.url}/v1/agent/service/deregister/web`, 'PUT');
  });

  for (const v of vectors) {
    it.skipIf(Boolean(v.embeddedOnly && realConsulAddress))(`vector ${v.n}`, async () => {
      for (const [m, p, b] of v.setup ?? []) expect((await http(`${r.url}${p}`, m, b)).status).toBe(200);
      const res = await http(`${r.url}${v.path}`, v.method ?? 'GET', v.body);
      expect({ status: res.status, text: v.text === undefined ? undefined : res.text }).toEqual({ status: v.status, text: v.text });
      if (v.json !== undefined) expect(res.json()).toEqual(v.json);
      for (const [k, val] of Object.entries(v.headers ?? {})) expect(res.headers.get(k)).toBe(val);
      if (v.status >= 400) expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    });
  }

  it('vector 1: agent/services shape with defaults', async () => {
    await http(`${r.url}${REG}`, 'PUT', '{"Name":"web"}');
    const services = (await http(`${r.url}/v1/agent/services`)).json() as Record<string, Record<string, unknown>>;
    expect(services.web).toMatchObject({ ID: 'web', Service: 'web', Tags: [], Meta: {}, Weights: { Passing: 1, Warning: 1 } });
  });

  it('vector 10: Go durations and nanoseconds', async () => {
    const body = { Name: 'web', Checks: [{ CheckID: 'a', TTL: '1m35s' }, { CheckID: 'b', TTL: '300000ms' }, { CheckID: 'c', TTL: 90_000_000_000 }] };
    expect((await http(`${r.url}${REG}`, 'PUT', JSON.stringify(body))).status).toBe(200);
  });

  it('vectors 11-13, 15, 19: TTL lifecycle over the wire, %3A-encoded ids', async () => {
    await http(`${r.url}${REG}`, 'PUT', JSON.stringify({ Name: 'web', Check: { TTL: '10s' } }));
    const checks = (await http(`${r.url}/v1/agent/checks`)).json() as Record<string, Record<string, unknown>>;
    expect(checks['service:web']).toMatchObject({ Status: 'critical', Name: "Service 'web' check", Type: 'ttl', ServiceTags: [] });
    expect((await http(`${r.url}/v1/health/service/web?passing`)).json()).toEqual([]);
    const pass = await http(`${r.url}/v1/agent/check/pass/service%3Aweb?note=ok`, 'PUT');
    expect([pass.status, pass.text]).toEqual([200, '']);
    const after = (await http(`${r.url}/v1/agent/checks`)).json() as Record<string, Record<string, unknown>>;
    expect(after['service:web']).toMatchObject({ Status: 'passing', Output: 'ok' });
    await http(`${r.url}/v1/agent/check/update/service:web`, 'PUT', '{"Status":"warning","Output":"x"}');
    const warned = (await http(`${r.url}/v1/agent/checks`)).json() as Record<string, Record<string, unknown>>;
    expect(warned['service:web']).toMatchObject({ Status: 'warning', Output: 'x' });
  });

  it('vector 12: two unnamed checks get :1 and :2', async () => {
    await http(`${r.url}${REG}`, 'PUT', JSON.stringify({ Name: 'web', Checks: [{ TTL: '10s' }, { TTL: '10s' }] }));
    const checks = (await http(`${r.url}/v1/agent/checks`)).json() as Record<string, unknown>;
    expect(Object.keys(checks).filter((k) => k.startsWith('service:web'))).toEqual(['service:web:1', 'service:web:2']);
  });

  it('vectors 25-27: ?passing excludes warning, tags match case-insensitively and AND, serfHealth is listed', async () => {
    await http(`${r.url}${REG}`, 'PUT', JSON.stringify({ Name: 'web', Tags: ['primary', 'v1'], Check: { TTL: '10s', Status: 'warning' } }));
    for (const q of ['passing', 'passing=', 'passing=true', 'passing=1']) {
      expect((await http(`${r.url}/v1/health/service/web?${q}`)).json()).toEqual([]);
    }
    const all = (await http(`${r.url}/v1/health/service/web?tag=Primary&tag=v1`)).json() as { Checks: { CheckID: string; Output: string }[] }[];
    expect(all).toHaveLength(1);
    expect(all[0].Checks[0]).toMatchObject({ CheckID: 'serfHealth', Output: 'Agent alive and reachable' });
    expect((await http(`${r.url}/v1/health/service/web?tag=primary&tag=v2`)).json()).toEqual([]);
    expect((await http(`${r.url}/v1/health/service/web?passing=false`)).json()).toHaveLength(1);
  });

  it('vector 28: catalog/services merges tags across instances', async () => {
    await http(`${r.url}${REG}`, 'PUT', JSON.stringify({ Name: 'web', ID: 'web', Tags: ['v1'] }));
    await http(`${r.url}${REG}`, 'PUT', JSON.stringify({ Name: 'web', ID: 'web-2', Tags: ['v2'] }));
    const names = (await http(`${r.url}/v1/catalog/services`)).json() as Record<string, string[]>;
    expect(names.web.sort()).toEqual(['v1', 'v2']);
    await http(`${r.url}/v1/agent/service/deregister/web-2`, 'PUT');
  });

  it('vector 29: query-meta headers on every catalog, health and KV read, even when empty', async () => {
    for (const p of ['/v1/catalog/services', '/v1/catalog/service/none', '/v1/health/service/none', '/v1/health/checks/none', '/v1/kv/none']) {
      const res = await http(`${r.url}${p}`);
      expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThanOrEqual(1);
      expect(res.headers.get('x-consul-knownleader')).toBe('true');
      expect(res.headers.get('x-consul-lastcontact')).toBe('0');
    }
    expect((await http(`${r.url}/v1/agent/services`)).headers.get('x-consul-index')).toBeNull();
  });

  it('vectors 33-34: KV over raw HTTP', async () => {
    expect((await http(`${r.url}/v1/kv/app/cfg`, 'PUT', 'bar')).text).toBe('true');
    const got = (await http(`${r.url}/v1/kv/app/cfg`)).json() as Record<string, unknown>[];
    expect(got).toEqual([{ LockIndex: 0, Key: 'app/cfg', Flags: 0, Value: 'YmFy', CreateIndex: got[0].CreateIndex, ModifyIndex: got[0].CreateIndex }]);
    expect((await http(`${r.url}/v1/kv/app/cfg?cas=0`, 'PUT', 'x')).text).toBe('false');
    const missing = await http(`${r.url}/v1/kv/app/none`);
    expect([missing.status, missing.text, Number(missing.headers.get('x-consul-index')) >= 1]).toEqual([404, '', true]);
    expect((await http(`${r.url}/v1/kv/app/empty`, 'PUT', '')).text).toBe('true');
    expect(((await http(`${r.url}/v1/kv/app/empty`)).json() as { Value: unknown }[])[0].Value).toBeNull();
    expect((await http(`${r.url}/v1/kv/app/cfg?raw`)).text).toBe('bar');
    expect((await http(`${r.url}/v1/kv/app?recurse`, 'DELETE')).text).toBe('true');
    expect((await http(`${r.url}/v1/kv/app/cfg`)).status).toBe(404);
  });

  it('agent/check/register adds a TTL check to a service; check/deregister removes it', async () => {
    await http(`${r.url}${REG}`, 'PUT', '{"Name":"web"}');
    const missing = await http(`${r.url}/v1/agent/check/register`, 'PUT', '{"ServiceID":"web"}');
    expect([missing.status, missing.text]).toEqual([400, 'Missing check name']);
    const ok = await http(`${r.url}/v1/agent/check/register`, 'PUT', '{"Name":"extra","ServiceID":"web","TTL":"30s"}');
    expect([ok.status, ok.text]).toEqual([200, '']);
    expect((await http(`${r.url}/v1/agent/check/pass/extra`, 'PUT')).status).toBe(200);
    const checks = (await http(`${r.url}/v1/health/checks/web`)).json() as { CheckID: string; Status: string }[];
    expect(checks.map((c) => [c.CheckID, c.Status])).toEqual([['extra', 'passing']]);
    expect((await http(`${r.url}/v1/agent/check/deregister/extra`, 'PUT')).status).toBe(200);
    expect((await http(`${r.url}/v1/health/checks/web`)).json()).toEqual([]);
  });

  it('agent/service/:id returns one service, 404 when unknown', async () => {
    await http(`${r.url}${REG}`, 'PUT', '{"Name":"web","Port":81}');
    expect((await http(`${r.url}/v1/agent/service/web`)).json()).toMatchObject({ ID: 'web', Port: 81 });
    expect((await http(`${r.url}/v1/agent/service/nope`)).status).toBe(404);
  });

  it('OPTIONS answers 200 with Allow', async () => {
    const res = await http(`${r.url}/v1/kv/x`, 'OPTIONS');
    expect(res.status).toBe(200);
    expect(res.headers.get('allow')).toBe('OPTIONS,GET,PUT,DELETE');
  });
});
