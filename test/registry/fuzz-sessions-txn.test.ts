import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../runner/clock/clock.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';

/**
 * Property over the session, lock, txn, event, node-check and maintenance routes: whatever is thrown at
 * them, every answer comes back (no hang), no 5xx but Consul's own 500 texts, a KV lock never names a
 * session that does not exist, and a transaction that answers 409 changed nothing. A fresh seed each run
 * (printed); FUZZ_SEED=n replays one.
 */
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`fuzz-sessions-txn seed ${seed} (FUZZ_SEED=${seed} replays it)`);

const CONSUL_500 = [
  /^Must provide Node$/,
  /^Invalid Behavior setting '.*'$/,
  /^Session TTL '.*' invalid: /,
  /^Invalid Session TTL '-?\d+', must be between \[10s=24h0m0s\]$/,
  /^Missing node registration$/,
  /^Missing check '.*' registration$/,
  /^Check '.*' is in critical state$/,
  /^invalid session ".*"$/,
  /^missing session$/,
  /^User event missing name$/,
  /^Cannot provide tag filter without service filter$/,
  /^Invalid (node|service|tag) filter: /,
  /^CheckID ".*" does not have associated TTL$/,
];

const keys = fc.constantFrom('lock', 'a/b', 'svc/leader', 'x');
const anyJson = fc.jsonValue({ maxDepth: 2 });
const sessionBody = fc.oneof(
  fc.dictionary(
    fc.constantFrom('Name', 'Node', 'TTL', 'LockDelay', 'Behavior', 'Checks', 'NodeChecks', 'ServiceChecks', 'ttl', 'lockdelay', 'Bogus'),
    fc.oneof(anyJson, fc.constantFrom('10s', '5s', '0', 'abc', 'release', 'delete', 'fuzz-node', 5, 2e9), fc.constantFrom(['serfHealth'], [], ['service:web'], [{ ID: 'service:web' }])),
    { maxKeys: 4 },
  ).map((o) => JSON.stringify(o)),
  fc.string({ maxLength: 12 }),
);
const txnOp = fc.record({
  KV: fc.record(
    {
      Verb: fc.constantFrom('set', 'cas', 'lock', 'unlock', 'get', 'get-tree', 'check-index', 'check-session', 'check-not-exists', 'delete', 'delete-cas', 'delete-tree', 'bogus'),
      Key: fc.oneof(keys, fc.constant('')),
      Value: fc.constantFrom('dg==', 'eA==', null, '!!'),
      Index: fc.nat(50),
      Session: fc.constantFrom('', 'nope'),
    },
    { requiredKeys: ['Verb'] },
  ),
});

type Op =
  | { kind: 'create'; body: string }
  | { kind: 'destroy' | 'renew' | 'info'; which: number }
  | { kind: 'acquire' | 'release'; key: string; which: number }
  | { kind: 'txn'; ops: unknown[] | string; useSession: number }
  | { kind: 'raw'; method: string; path: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: sessionBody.map((body) => ({ kind: 'create' as const, body })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('destroy' as const, 'renew' as const, 'info' as const), which: fc.nat(5) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('acquire' as const, 'release' as const), key: keys, which: fc.nat(5) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('txn' as const), ops: fc.oneof(fc.array(txnOp, { maxLength: 5 }), fc.string({ maxLength: 10 })), useSession: fc.nat(5) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      method: fc.constantFrom('GET', 'PUT', 'DELETE'),
      path: fc.constantFrom(
        '/v1/session/list',
        '/v1/session/node/fuzz-node',
        '/v1/session/info/',
        '/v1/event/fire/deploy?node=fuzz',
        '/v1/event/fire/x?tag=a',
        '/v1/event/fire/x?service=(',
        '/v1/event/list?name=deploy',
        '/v1/event/list?index=abc',
        '/v1/agent/maintenance?enable=true&reason=fuzz',
        '/v1/agent/maintenance?enable=false',
        '/v1/agent/maintenance?enable=maybe',
        '/v1/agent/service/maintenance/web-1?enable=true',
        '/v1/agent/service/maintenance/nope?enable=true',
        '/v1/agent/check/fail/service:web-1',
        '/v1/agent/check/pass/service:web-1',
        '/v1/health/node/fuzz-node',
        '/v1/catalog/node/fuzz-node',
        '/v1/catalog/node/',
        '/v1/catalog/datacenters',
        '/v1/agent/members?wan=1',
      ),
    }),
  },
);

describe('sessions, locks, txn, events and maintenance fuzz (fast-check)', () => {
  let r: StartedRegistry;
  beforeAll(async () => {
    // A manual clock: TTLs and lock-delays stand still, so the model is what the requests did.
    r = await startRegistry({ host: '127.0.0.1', port: 0, node: 'fuzz-node' }, { clock: new ManualClock(0) });
    await fetch(`${r.url}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: 'web', ID: 'web-1', Check: { TTL: '10s', Status: 'passing' } }) });
  });
  afterAll(() => r.stop());

  it('answers everything, only Consul 500s, no dangling locks, a 409 transaction changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const sessions: string[] = [];
        const pick = (n: number) => (sessions.length ? sessions[n % sessions.length]! : `missing-${n}`);
        const call = async (method: string, path: string, body?: string) => {
          const res = await fetch(`${r.url}${path}`, { method, body, signal: AbortSignal.timeout(5000) });
          const text = await res.text();
          if (res.status >= 500) expect(CONSUL_500.some((re) => re.test(text)), `${method} ${path} -> ${res.status} ${text}`).toBe(true);
          return { status: res.status, text };
        };
        const kvNow = async () => (await call('GET', '/v1/kv/?recurse')).text;
        for (const o of ops) {
          if (o.kind === 'create') {
            const res = await call('PUT', '/v1/session/create', o.body);
            if (res.status === 200) sessions.push((JSON.parse(res.text) as { ID: string }).ID);
          } else if (o.kind === 'destroy' || o.kind === 'renew') {
            await call('PUT', `/v1/session/${o.kind}/${pick(o.which)}`);
          } else if (o.kind === 'info') {
            await call('GET', `/v1/session/info/${pick(o.which)}`);
          } else if (o.kind === 'acquire' || o.kind === 'release') {
            await call('PUT', `/v1/kv/${o.key}?${o.kind}=${pick(o.which)}`, 'v');
          } else if (o.kind === 'txn') {
            const ops = typeof o.ops === 'string' ? o.ops : JSON.stringify(o.ops.map((x) => ({ KV: { ...(x as { KV: object }).KV, ...((x as { KV: { Session?: string } }).KV.Session === '' ? { Session: pick(o.useSession) } : {}) } })));
            const before = await kvNow();
            const res = await call('PUT', '/v1/txn', ops);
            expect([200, 400, 409, 413]).toContain(res.status);
            if (res.status !== 200) expect(await kvNow()).toBe(before);
          } else if (o.kind === 'raw') {
            await call(o.method, o.path);
          }
        }
        const live = new Set(((await (await fetch(`${r.url}/v1/session/list`)).json()) as { ID: string }[]).map((s) => s.ID));
        const entries = (await (await fetch(`${r.url}/v1/kv/?recurse`)).json().catch(() => [])) as { Key: string; Session?: string }[] | null;
        for (const e of entries ?? []) if (e.Session) expect(live.has(e.Session), `${e.Key} locked by dead session ${e.Session}`).toBe(true);
        expect((await fetch(`${r.url}/v1/status/leader`)).status).toBe(200);
      }),
      { numRuns: 40, seed },
    );
  });
});
