import Consul from 'consul';
import { afterEach, describe, expect, it } from 'vitest';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { http } from './registry-harness.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
interface KvResult {
  KV: { Key: string; Value: string | null; LockIndex: number; Session?: string; ModifyIndex: number; CreateIndex: number };
}

// /v1/txn (agent/txn_endpoint.go, state/txn.go) through node-consul's transaction.create, texts over raw HTTP.
describe('transactions', () => {
  const started: StartedRegistry[] = [];
  afterEach(async () => {
    for (const r of started.splice(0)) await r.stop();
  });
  async function start() {
    const reg = await startRegistry({ host: '127.0.0.1', port: 0 });
    started.push(reg);
    return { url: reg.url, consul: new Consul({ host: '127.0.0.1', port: Number(reg.address.split(':')[1]) }) };
  }
  const txn = (url: string, ops: unknown) => http(`${url}/v1/txn`, 'PUT', typeof ops === 'string' ? ops : JSON.stringify(ops));

  it('applies KV writes atomically at one index and returns entries without values', async () => {
    const { consul, url } = await start();
    await consul.kv.set('old', 'x');
    const before = Number((await http(`${url}/v1/kv/old`)).headers.get('x-consul-index'));
    // The client's typings want {operations}; its code takes the array itself (create(operations)).
    const out = (await consul.transaction.create([
      { KV: { Verb: 'set', Key: 'a', Value: b64('1') } },
      { KV: { Verb: 'set', Key: 'b', Value: b64('2'), Flags: 7 } },
      { KV: { Verb: 'delete', Key: 'old' } },
    ] as never)) as unknown as { Results: KvResult[]; Errors: null };
    expect(out.Errors).toBeNull();
    expect(out.Results.map((r) => [r.KV.Key, r.KV.Value])).toEqual([['a', null], ['b', null]]);
    expect(out.Results[0].KV.ModifyIndex).toBe(before + 1);
    expect(out.Results[1].KV.ModifyIndex).toBe(before + 1);
    expect(await consul.kv.get('b')).toMatchObject({ Value: '2', Flags: 7 });
    expect(await consul.kv.get('old')).toBeUndefined();
    expect(Number((await http(`${url}/v1/kv/a`)).headers.get('x-consul-index'))).toBe(before + 1);
  });

  it('rolls everything back on any failed op and answers 409 with each error', async () => {
    const { consul, url } = await start();
    await consul.kv.set('k', 'v');
    const index = ((await consul.kv.get('k')) as { ModifyIndex: number }).ModifyIndex;
    const res = await txn(url, [
      { KV: { Verb: 'set', Key: 'new', Value: b64('n') } },
      { KV: { Verb: 'cas', Key: 'k', Value: b64('w'), Index: index + 100 } },
      { KV: { Verb: 'get', Key: 'missing' } },
      { KV: { Verb: 'check-not-exists', Key: 'k' } },
      { KV: { Verb: 'frob', Key: 'k' } },
      { KV: { Verb: 'set', Key: '' } },
      { Node: { Verb: 'get', Node: { Node: 'x' } } },
    ]);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.json()).toEqual({
      Results: null,
      Errors: [
        { OpIndex: 1, What: 'failed to set key "k", index is stale' },
        { OpIndex: 2, What: 'key "missing" doesn\'t exist' },
        { OpIndex: 3, What: 'key "k" exists' },
        { OpIndex: 4, What: 'unknown KV verb "frob"' },
        { OpIndex: 5, What: 'Must provide key' },
        { OpIndex: 6, What: 'micro-dev: Node operations in transactions are not supported (KV only)' },
      ],
    });
    expect(await consul.kv.get('new')).toBeUndefined();
    expect(await consul.kv.get('k')).toMatchObject({ Value: 'v', ModifyIndex: index });
    // node-consul treats the 409 as an error carrying the body.
    await expect(consul.transaction.create([{ KV: { Verb: 'get', Key: 'missing' } }] as never)).rejects.toMatchObject({
      statusCode: 409,
      response: { body: { Errors: [{ OpIndex: 0, What: 'key "missing" doesn\'t exist' }] } },
    });
  });

  it('reads (get, get-tree, checks) carry values and the read metadata', async () => {
    const { consul, url } = await start();
    await consul.kv.set('app/a', '1');
    await consul.kv.set('app/b', '2');
    const a = (await consul.kv.get('app/a')) as { ModifyIndex: number };
    const res = await txn(url, [
      { KV: { Verb: 'get', Key: 'app/a' } },
      { KV: { Verb: 'get-tree', Key: 'app/' } },
      { KV: { Verb: 'check-index', Key: 'app/a', Index: a.ModifyIndex } },
      { KV: { Verb: 'check-session', Key: 'app/b' } },
      { KV: { Verb: 'check-not-exists', Key: 'app/c' } },
    ]);
    expect(res.status).toBe(200);
    const body = res.json() as { Results: KvResult[] } & Record<string, unknown>;
    expect(body.Results.map((r) => [r.KV.Key, r.KV.Value])).toEqual([
      ['app/a', b64('1')],
      ['app/a', b64('1')],
      ['app/b', b64('2')],
      ['app/a', null],
      ['app/b', null],
    ]);
    expect(Object.keys(body)).toEqual(['Results', 'Errors', 'Index', 'LastContact', 'KnownLeader', 'ConsistencyLevel', 'NotModified', 'Backend', 'ResultsFilteredByACLs']);
    expect(res.headers.get('x-consul-knownleader')).toBe('true');
  });

  it('locks and unlocks through sessions inside a transaction', async () => {
    const { consul, url } = await start();
    const s = ((await consul.session.create({})) as { ID: string }).ID;
    const t = ((await consul.session.create({})) as { ID: string }).ID;
    const locked = await txn(url, [{ KV: { Verb: 'lock', Key: 'l', Value: b64('me'), Session: s } }, { KV: { Verb: 'check-session', Key: 'l', Session: s } }]);
    expect(locked.status).toBe(200);
    expect((locked.json() as { Results: KvResult[] }).Results.map((r) => [r.KV.Session, r.KV.LockIndex])).toEqual([[s, 1], [s, 1]]);
    const contended = await txn(url, [
      { KV: { Verb: 'lock', Key: 'l', Session: t } },
      { KV: { Verb: 'unlock', Key: 'l', Session: t } },
      { KV: { Verb: 'lock', Key: 'l', Session: 'nope' } },
      { KV: { Verb: 'check-session', Key: 'l', Session: t } },
    ]);
    expect((contended.json() as { Errors: unknown[] }).Errors).toEqual([
      { OpIndex: 0, What: 'failed to lock key "l", lock is already held' },
      { OpIndex: 1, What: "failed to unlock key \"l\", lock isn't held, or is held by another session" },
      { OpIndex: 2, What: 'invalid session "nope"' },
      { OpIndex: 3, What: `failed session check for key "l", current session "${s}" != "${t}"` },
    ]);
    await consul.session.destroy(s);
    const delayed = await txn(url, [{ KV: { Verb: 'lock', Key: 'l', Session: t } }]);
    expect((delayed.json() as { Errors: unknown[] }).Errors).toEqual([{ OpIndex: 0, What: 'failed to lock key "l" due to lock delay' }]);
  });

  it('rejects malformed bodies and limits with Consul texts', async () => {
    const { url } = await start();
    const cases: [unknown, number, string][] = [
      ['{}', 400, 'Failed to parse body: json: cannot unmarshal object into Go value of type api.TxnOps'],
      [[{ Bogus: {} }], 400, 'Failed to parse body: json: unknown field "Bogus"'],
      [[{ KV: { Verb: 'set', Key: 5 } }], 400, 'Failed to parse body: json: cannot unmarshal number into Go struct field KVTxnOp.KV.Key of type string'],
      [[{ KV: { Verb: 'set', Key: 'k', Value: 'no!' } }], 400, 'Failed to parse body: illegal base64 data at input byte 2'],
      [Array.from({ length: 65 }, () => ({ KV: { Verb: 'get', Key: 'k' } })), 413, 'Transaction contains too many operations (65 > 64)'],
      [[{ KV: { Verb: 'set', Key: 'big', Value: Buffer.alloc(512 * 1024 + 1).toString('base64') } }], 413, 'Request body too large, max size: 524288 bytes'],
    ];
    for (const [body, status, text] of cases) {
      const res = await txn(url, body);
      expect([res.status, res.text]).toEqual([status, text]);
    }
    const wrong = await http(`${url}/v1/txn`);
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'OPTIONS,PUT']);
  });
});
