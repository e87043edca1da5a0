import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Consul from 'consul';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../runner/clock/clock.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { eventually, http } from './registry-harness.ts';

interface SessionInfo {
  ID: string;
  Name: string;
  Node: string;
  LockDelay: number;
  Behavior: string;
  TTL: string;
  NodeChecks: string[] | null;
  ServiceChecks: { ID: string }[] | null;
  CreateIndex: number;
  ModifyIndex: number;
}
interface Entry {
  Key: string;
  Value: string | null;
  LockIndex: number;
  Session?: string;
}

// Sessions and KV locks through the real `consul` npm client, exact texts over raw HTTP
// (agent/session_endpoint.go, agent/consul/session_endpoint.go, state/session.go, state/kvs.go).
describe('sessions and locks', () => {
  const started: StartedRegistry[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const r of started.splice(0)) await r.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function start(config: Parameters<typeof startRegistry>[0] extends infer C ? Partial<C> : never = {}, clock?: ManualClock) {
    const reg = await startRegistry({ host: '127.0.0.1', port: 0, ...config }, { clock });
    started.push(reg);
    const port = Number(reg.address.split(':')[1]);
    return { reg, url: reg.url, consul: new Consul({ host: '127.0.0.1', port }) };
  }

  it('creates a session with Consul defaults and lists, finds and destroys it', async () => {
    const { consul, url } = await start();
    const { ID } = (await consul.session.create({ name: 'leader' })) as { ID: string };
    expect(ID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const info = (await consul.session.info(ID)) as SessionInfo;
    expect(Object.keys(info)).toEqual(['ID', 'Name', 'Node', 'LockDelay', 'Behavior', 'TTL', 'NodeChecks', 'ServiceChecks', 'CreateIndex', 'ModifyIndex']);
    // The node is the host name unless registry.node says otherwise (consul agent -dev does the same).
    expect(info).toMatchObject({ ID, Name: 'leader', Node: hostname(), LockDelay: 15_000_000_000, Behavior: 'release', TTL: '', NodeChecks: ['serfHealth'], ServiceChecks: null });
    expect(((await consul.session.list()) as SessionInfo[]).map((s) => s.ID)).toEqual([ID]);
    expect(((await consul.session.node(hostname())) as SessionInfo[]).map((s) => s.ID)).toEqual([ID]);
    expect(await consul.session.node('elsewhere')).toEqual([]);
    const raw = await http(`${url}/v1/session/info/${ID}`);
    expect(Number(raw.headers.get('x-consul-index'))).toBeGreaterThanOrEqual(info.CreateIndex);
    // node-consul's destroy resolves nothing; the wire answer is `true`.
    await consul.session.destroy(ID);
    expect(await consul.session.info(ID)).toBeUndefined();
    expect((await http(`${url}/v1/session/info/${ID}`)).text).toBe('[]');
    // Destroying an unknown session is not an error (deleteSessionTxn returns nil).
    const again = await http(`${url}/v1/session/destroy/${ID}`, 'PUT');
    expect([again.status, again.text]).toEqual([200, 'true']);
  });

  it('answers bad requests with Consul status codes and texts', async () => {
    const { url } = await start({ timeScale: 1 });
    const put = (path: string, body?: string) => http(`${url}${path}`, 'PUT', body);
    const cases: [string, string | undefined, number, string][] = [
      ['/v1/session/renew/nope', undefined, 404, "Session id 'nope' not found"],
      ['/v1/session/destroy/', undefined, 400, 'Missing session'],
      ['/v1/session/renew/', undefined, 400, 'Missing session'],
      ['/v1/session/create', '{"Behavior":"bogus"}', 500, "Invalid Behavior setting 'bogus'"],
      ['/v1/session/create', '{"TTL":"5s"}', 500, "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]"],
      ['/v1/session/create', '{"TTL":"25h"}', 500, "Invalid Session TTL '90000000000000', must be between [10s=24h0m0s]"],
      ['/v1/session/create', '{"TTL":"abc"}', 500, 'Session TTL \'abc\' invalid: time: invalid duration "abc"'],
      ['/v1/session/create', '{"Node":""}', 500, 'Must provide Node'],
      ['/v1/session/create', '{"Node":"other-node"}', 500, 'Missing node registration'],
      ['/v1/session/create', '{"Checks":["nope","serfHealth"]}', 500, "Missing check 'nope' registration"],
      ['/v1/session/create', '{"NodeChecks":["nope"]}', 500, "Missing check 'nope' registration"],
      ['/v1/session/create', '{"Name":5}', 400, 'Request decode failed: json: cannot unmarshal number into Go struct field .Name of type string'],
      ['/v1/session/create', '{"LockDelay":"abc"}', 400, 'Request decode failed: time: invalid duration "abc"'],
      ['/v1/session/create', '[1]', 400, 'Request decode failed: json: cannot unmarshal array into Go value of type structs.Session'],
    ];
    for (const [path, body, status, text] of cases) {
      const res = await put(path, body);
      expect({ path, body, status: res.status, text: res.text }).toEqual({ path, body, status, text });
    }
    expect((await http(`${url}/v1/session/node/`)).text).toBe('Missing node name');
    expect((await http(`${url}/v1/session/info/`)).text).toBe('Missing session');
    const wrong = await http(`${url}/v1/session/create`);
    expect([wrong.status, wrong.headers.get('allow'), wrong.text]).toEqual([405, 'OPTIONS,PUT', 'method GET not allowed']);
    // Session's own UnmarshalJSON ignores unknown keys; LockDelay below 1000 ns is read as seconds.
    const ok = await put('/v1/session/create', '{"Bogus":1,"LockDelay":5,"TTL":"10s","Behavior":"delete"}');
    expect(ok.status).toBe(200);
    const info = (await http(`${url}/v1/session/info/${(ok.json() as { ID: string }).ID}`)).json() as SessionInfo[];
    expect(info[0]).toMatchObject({ LockDelay: 5_000_000_000, TTL: '10s', Behavior: 'delete' });
    const noChecks = await put('/v1/session/create', '{"Checks":[]}');
    const bare = (await http(`${url}/v1/session/info/${(noChecks.json() as { ID: string }).ID}`)).json() as SessionInfo[];
    expect(bare[0].NodeChecks).toEqual([]);
    expect('Checks' in bare[0]).toBe(false);
  });

  // papi resolves a `false` body as undefined (`!value && maybeValue`), so a refused acquire/release reads
  // as undefined through node-consul; the raw answers are checked as `false`.
  it('locks a key: acquire, contend, release, LockIndex, Session on the entry', async () => {
    const { consul, url } = await start();
    const a = ((await consul.session.create({ name: 'a' })) as { ID: string }).ID;
    const b = ((await consul.session.create({ name: 'b' })) as { ID: string }).ID;
    expect(await consul.kv.set({ key: 'service/leader', value: 'a', acquire: a })).toBe(true);
    expect(await consul.kv.get('service/leader')).toMatchObject({ Key: 'service/leader', Value: 'a', LockIndex: 1, Session: a });
    const raw = (await http(`${url}/v1/kv/service/leader`)).json() as Entry[];
    expect(Object.keys(raw[0])).toEqual(['LockIndex', 'Key', 'Flags', 'Value', 'Session', 'CreateIndex', 'ModifyIndex']);
    // Another session cannot take it; re-acquiring by the holder keeps LockIndex.
    expect(await consul.kv.set({ key: 'service/leader', value: 'b', acquire: b })).toBeUndefined();
    const refused = await http(`${url}/v1/kv/service/leader?acquire=${b}`, 'PUT', 'b');
    expect([refused.status, refused.text]).toEqual([200, 'false']);
    expect(await consul.kv.set({ key: 'service/leader', value: 'a2', acquire: a })).toBe(true);
    expect(await consul.kv.get('service/leader')).toMatchObject({ Value: 'a2', LockIndex: 1, Session: a });
    expect((await http(`${url}/v1/kv/service/leader?release=${b}`, 'PUT', 'x')).text).toBe('false');
    expect(await consul.kv.set({ key: 'service/leader', value: 'free', release: a })).toBe(true);
    const released = (await consul.kv.get('service/leader')) as Entry;
    expect(released).toMatchObject({ Value: 'free', LockIndex: 1 });
    expect(released.Session).toBeUndefined();
    // An explicit release sets no lock-delay: b takes it at once.
    expect(await consul.kv.set({ key: 'service/leader', value: 'b', acquire: b })).toBe(true);
    expect(await consul.kv.get('service/leader')).toMatchObject({ LockIndex: 2, Session: b });
    // A plain write keeps the session (kvsSetTxn) and, as HTTP sends LockIndex 0, resets LockIndex.
    expect(await consul.kv.set('service/leader', 'plain')).toBe(true);
    expect(await consul.kv.get('service/leader')).toMatchObject({ Value: 'plain', LockIndex: 0, Session: b });

    const invalid = await http(`${url}/v1/kv/x?acquire=nope`, 'PUT', 'v');
    expect([invalid.status, invalid.text]).toEqual([500, 'invalid session "nope"']);
    const missing = await http(`${url}/v1/kv/x?release=`, 'PUT', 'v');
    expect([missing.status, missing.text]).toEqual([500, 'missing session']);
    const conflict = await http(`${url}/v1/kv/x?acquire=${a}&release=${a}`, 'PUT', 'v');
    expect(conflict.status).toBe(400);
    expect(conflict.text).toMatch(/^Conflicting flags: /);
    await expect(consul.kv.set({ key: 'x', value: 'v', acquire: 'nope' })).rejects.toMatchObject({ statusCode: 500, message: expect.stringMatching(/invalid session "nope"$/) });
  });

  it('destroying a session releases its locks behind the lock-delay; behavior delete deletes them', async () => {
    const clock = new ManualClock(0);
    const { consul, url } = await start({ timeScale: 1 }, clock);
    const a = ((await consul.session.create({ name: 'a', lockdelay: '15s' })) as { ID: string }).ID;
    const b = ((await consul.session.create({ name: 'b' })) as { ID: string }).ID;
    expect(await consul.kv.set({ key: 'lock', value: 'a', acquire: a })).toBe(true);
    await consul.session.destroy(a);
    const after = (await consul.kv.get('lock')) as Entry;
    expect(after).toMatchObject({ Value: 'a', LockIndex: 1 });
    expect(after.Session).toBeUndefined();
    expect(await consul.kv.set({ key: 'lock', value: 'b', acquire: b })).toBeUndefined();
    clock.advance(14_999);
    expect((await http(`${url}/v1/kv/lock?acquire=${b}`, 'PUT', 'b')).text).toBe('false');
    clock.advance(1);
    expect(await consul.kv.set({ key: 'lock', value: 'b', acquire: b })).toBe(true);

    const d = ((await consul.session.create({ behavior: 'delete', lockdelay: '0s' })) as { ID: string }).ID;
    expect(await consul.kv.set({ key: 'ephemeral', value: 'd', acquire: d })).toBe(true);
    await consul.session.destroy(d);
    expect(await consul.kv.get('ephemeral')).toBeUndefined();
  });

  it('a TTL session lapses after TTL x2 on the lease clock unless renewed, and its locks go', async () => {
    const clock = new ManualClock(0);
    const { consul, reg } = await start({ timeScale: 0.5 }, clock);
    const events: string[] = [];
    reg.subscribe((e) => {
      if (e.type === 'session-ended') events.push(`${e.reason}:${e.keys.join(',')}`);
    });
    const s = ((await consul.session.create({ ttl: '10s', lockdelay: '1s' })) as { ID: string }).ID;
    expect(await consul.kv.set({ key: 'held', value: 'v', acquire: s })).toBe(true);
    // 20 s of model time at timeScale 0.5 is 10 s of wall time.
    clock.advance(9_000);
    const renewed = (await consul.session.renew(s)) as SessionInfo[];
    expect(renewed.map((r) => r.ID)).toEqual([s]);
    clock.advance(9_000);
    expect(await consul.session.info(s)).toBeDefined();
    clock.advance(999);
    expect(await consul.session.info(s)).toBeDefined();
    clock.advance(1);
    expect(await consul.session.info(s)).toBeUndefined();
    expect((await consul.kv.get('held')) as Entry).not.toHaveProperty('Session');
    expect(events).toEqual(['ttl:held']);
    await expect(consul.session.renew(s)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('a session bound to a check ends when the check turns critical or is deregistered', async () => {
    const { consul, url } = await start();
    await consul.agent.service.register({ name: 'web', id: 'web-1', check: { ttl: '30s', status: 'passing' } as never });
    await consul.agent.service.register({ name: 'web', id: 'web-2', check: { ttl: '30s', status: 'passing' } as never });
    const critical = await http(`${url}/v1/session/create`, 'PUT', JSON.stringify({ ServiceChecks: [{ ID: 'service:web-1' }] }));
    const byService = (critical.json() as { ID: string }).ID;
    const byNodeCheck = ((await consul.session.create({ checks: ['serfHealth', 'service:web-2'] })) as { ID: string }).ID;
    expect(await consul.kv.set({ key: 'a', value: '1', acquire: byService })).toBe(true);
    expect(await consul.kv.set({ key: 'b', value: '2', acquire: byNodeCheck })).toBe(true);
    const info = (await consul.session.info(byNodeCheck)) as SessionInfo & { Checks: string[] };
    expect(info).toMatchObject({ Checks: ['serfHealth', 'service:web-2'], NodeChecks: ['serfHealth'] });

    await consul.agent.check.fail('service:web-1');
    expect(await consul.session.info(byService)).toBeUndefined();
    expect((await consul.kv.get('a')) as Entry).not.toHaveProperty('Session');
    expect(await consul.session.info(byNodeCheck)).toBeDefined();
    await consul.agent.service.deregister('web-2');
    expect(await consul.session.info(byNodeCheck)).toBeUndefined();
    // A critical check refuses new sessions.
    const refused = await http(`${url}/v1/session/create`, 'PUT', JSON.stringify({ ServiceChecks: [{ ID: 'service:web-1' }] }));
    expect([refused.status, refused.text]).toEqual([500, "Check 'service:web-1' is in critical state"]);
  });

  it('blocks session reads until a session write', async () => {
    const { consul, url } = await start();
    const first = await http(`${url}/v1/session/list`);
    const index = Number(first.headers.get('x-consul-index'));
    const parked = http(`${url}/v1/session/list?index=${index}&wait=20s`);
    await eventually(async () => ((await http(`${url}/v1/micro-dev/status`)).status === 200 ? true : false), 'status');
    const { ID } = (await consul.session.create({})) as { ID: string };
    const woke = await parked;
    expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(index);
    expect((woke.json() as SessionInfo[]).map((s) => s.ID)).toEqual([ID]);
  });

  it('persist keeps sessions (same IDs, fresh TTL) and the locks they hold across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-sessions-'));
    dirs.push(dir);
    const persist = join(dir, 'registry.json');
    const first = await start({ persist });
    const s = ((await first.consul.session.create({ name: 'keep', ttl: '30s' })) as { ID: string }).ID;
    expect(await first.consul.kv.set({ key: 'leader', value: 'me', acquire: s })).toBe(true);
    await first.reg.stop();
    const second = await start({ persist });
    expect(await second.consul.session.info(s)).toMatchObject({ ID: s, Name: 'keep', TTL: '30s' });
    expect(await second.consul.kv.get('leader')).toMatchObject({ Value: 'me', Session: s, LockIndex: 1 });
    expect(await second.consul.kv.set({ key: 'leader', value: 'me', release: s })).toBe(true);
  });
});
