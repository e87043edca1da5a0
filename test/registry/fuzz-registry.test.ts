import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';

/**
 * Property: whatever is thrown at it (random register bodies, paths, query strings), the registry answers
 * every request with a non-5xx status (except Consul's own 500 for pass on a non-TTL check), keeps serving,
 * and its catalog equals the model of accepted registrations and deregistrations.
 */
const FIELDS = ['Name', 'ID', 'Tags', 'Address', 'Port', 'Meta', 'Check', 'Checks', 'Weights', 'EnableTagOverride', 'TaggedAddresses', 'Kind', 'Bogus'];
const CHECK_FIELDS = ['TTL', 'Interval', 'HTTP', 'TCP', 'Status', 'CheckID', 'Notes', 'DeregisterCriticalServiceAfter', 'Timeout', 'OutputMaxSize', 'Header'];
const SEGMENTS = ['agent', 'service', 'register', 'deregister', 'check', 'pass', 'warn', 'fail', 'update', 'catalog', 'services', 'health', 'kv', 'status', 'leader', 'state', 'checks', 'self', 'host', 'micro-dev'];

const caseVariant = (s: string) => fc.constantFrom(s, s.toLowerCase(), s.toUpperCase());
const smallName = fc.constantFrom('web', 'api', 'db', 'x', 'service:web', 'a/b', '');
const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  smallName,
  fc.constantFrom('10s', '1m', '5 s', '-1s', '0', 'passing', 'critical', 'up', '0.0.0.0', '127.0.0.1', 90_000_000_000),
  fc.array(smallName, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('k', 'a.b', 'consul-x', 'v'), fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxKeys: 3 }),
);
const checkBody = fc.dictionary(fc.constantFrom(...CHECK_FIELDS).chain(caseVariant), fieldValue, { maxKeys: 4 });
const registerBody = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS).chain(caseVariant), fc.oneof(fieldValue, checkBody, fc.array(checkBody, { maxLength: 3 })), { maxKeys: 6 }).map((o) => JSON.stringify(o)),
  fc.record({ Name: smallName, ID: fc.option(smallName, { nil: undefined }), Check: fc.option(checkBody, { nil: undefined }) }).map((o) => JSON.stringify(o)),
  fc.string({ maxLength: 30 }),
);
const path = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...SEGMENTS), fc.string({ maxLength: 6 }).map(encodeURIComponent), fc.constantFrom('%', '%zz', '%3A', '..', '')), { maxLength: 5 }).map((s) => `/v1/${s.join('/')}`),
  fc.constantFrom('/v1/health/service/web', '/v1/catalog/service/web', '/v1/kv/a', '/', '/v1/agent/check/pass/service:web'),
);
const query = fc.array(fc.tuple(fc.constantFrom('index', 'wait', 'passing', 'tag', 'stale', 'consistent', 'recurse', 'keys', 'cas', 'note', 'token', 'replace-existing-checks', 'raw'), fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('0', '1', '-1', 'abc', '1ms', '5m'))), { maxLength: 3 }).map(
  (pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : ''),
);

type Op =
  | { kind: 'register'; body: string }
  | { kind: 'deregister'; id: string }
  | { kind: 'raw'; method: string; path: string; query: string; body: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: registerBody.map((body) => ({ kind: 'register' as const, body })) },
  { weight: 2, arbitrary: smallName.map((id) => ({ kind: 'deregister' as const, id })) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('raw' as const), method: fc.constantFrom('GET', 'PUT', 'DELETE', 'POST', 'OPTIONS'), path, query, body: fc.string({ maxLength: 20 }) }),
  },
);

/** The ID a Go decoder would see: case-insensitive keys, last one wins; ID defaults to Name. */
function expectedId(body: string): string {
  const o = JSON.parse(body) as Record<string, unknown>;
  let name = '';
  let id = '';
  for (const [k, v] of Object.entries(o)) {
    if (k.toLowerCase() === 'name') name = typeof v === 'string' ? v : name;
    if (k.toLowerCase() === 'id') id = typeof v === 'string' ? v : id;
  }
  return id || name;
}

describe('registry fuzz (fast-check)', () => {
  let r: StartedRegistry;
  beforeAll(async () => {
    r = await startRegistry({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => r.stop());

  it('survives random requests and keeps the catalog consistent with what was accepted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        const before = (await (await fetch(`${r.url}/v1/agent/services`)).json()) as Record<string, unknown>;
        const model = new Set(Object.keys(before));
        for (const o of ops) {
          let res: Response;
          if (o.kind === 'register') {
            res = await fetch(`${r.url}/v1/agent/service/register`, { method: 'PUT', body: o.body });
            if (res.status === 200) model.add(expectedId(o.body));
          } else if (o.kind === 'deregister') {
            res = await fetch(`${r.url}/v1/agent/service/deregister/${encodeURIComponent(o.id)}`, { method: 'PUT' });
            if (res.status === 200) model.delete(o.id);
            else expect(model.has(o.id)).toBe(false);
          } else {
            // Never park: a fuzzed `index` must not hold the run for the default 5 minutes.
            const q = o.query.includes('index=') ? `${o.query}&wait=1ms` : o.query;
            res = await fetch(`${r.url}${o.path}${q}`, { method: o.method, body: ['GET', 'OPTIONS'].includes(o.method) ? undefined : o.body });
          }
          const text = await res.text();
          if (res.status >= 500) expect(text).toMatch(/does not have associated TTL|invalid session/);
          if (o.kind === 'raw' && o.method === 'PUT' && o.path.startsWith('/v1/agent/service/register') && res.status === 200) {
            model.add(expectedId(o.body));
          }
        }
        const services = (await (await fetch(`${r.url}/v1/agent/services`)).json()) as Record<string, { Service: string }>;
        expect(new Set(Object.keys(services))).toEqual(model);
        const names = (await (await fetch(`${r.url}/v1/catalog/services`)).json()) as Record<string, string[]>;
        // The catalog adds the agent's own `consul` service to what was registered.
        expect(new Set(Object.keys(names))).toEqual(new Set(['consul', ...Object.values(services).map((s) => s.Service)]));
        const checks = (await (await fetch(`${r.url}/v1/agent/checks`)).json()) as Record<string, { ServiceID: string }>;
        for (const c of Object.values(checks)) expect(model.has(c.ServiceID)).toBe(true);
      }),
      { numRuns: 60, seed: Number(process.env.FUZZ_SEED ?? 42) },
    );
  });
});
