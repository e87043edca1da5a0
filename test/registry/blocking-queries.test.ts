import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../runner/clock/clock.ts';
import { eventually, http, registryUnderTest, type RegistryUnderTest } from './registry-harness.ts';
import { decodeServiceDefinition } from '../../runner/registry/decode-service-definition.ts';

// Vectors 30-31 on a ManualClock: the server's wait timers only fire when the test advances time.
describe('blocking queries', () => {
  let r: RegistryUnderTest;
  let clock: ManualClock;
  afterEach(() => r.stop());

  async function start(config: Parameters<typeof registryUnderTest>[0] = {}) {
    clock = new ManualClock(0);
    r = await registryUnderTest(config, { clock, forceEmbedded: true });
  }

  /** Starts a blocking GET and resolves once the server has parked it (its wait timer exists). */
  async function parked(path: string) {
    const before = clock.pending;
    let done = false;
    const res = http(`${r.url}${path}`).then((x) => {
      done = true;
      return x;
    });
    await eventually(() => clock.pending > before, 'query parked');
    return { res, isDone: () => done };
  }

  /** A round trip through the server, so anything it was going to answer has been answered. */
  const settle = () => http(`${r.url}/v1/status/leader`);

  it('returns after wait (+ jitter < wait/16) with the same index when nothing changes (vector 30)', async () => {
    await start();
    const index = (await http(`${r.url}/v1/health/service/web`)).headers.get('x-consul-index');
    const q = await parked(`/v1/health/service/web?index=${index}&wait=2s`);
    clock.advance(1999);
    await settle();
    expect(q.isDone()).toBe(false);
    clock.advance(2000 / 16);
    const res = await q.res;
    expect(res.status).toBe(200);
    expect(res.headers.get('x-consul-index')).toBe(index);
  });

  it('returns early with a greater index when a service registers (vector 30)', async () => {
    await start();
    const index = Number((await http(`${r.url}/v1/health/service/web`)).headers.get('x-consul-index'));
    const q = await parked(`/v1/health/service/web?index=${index}&wait=5m`);
    await http(`${r.url}/v1/agent/service/register`, 'PUT', '{"Name":"web","Check":{"TTL":"10s","Status":"passing"}}');
    const res = await q.res;
    expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThan(index);
    expect(res.json()).toHaveLength(1);
  });

  it('a KV write does not release a health query whose result did not change', async () => {
    await start();
    const index = Number((await http(`${r.url}/v1/health/service/web`)).headers.get('x-consul-index'));
    const q = await parked(`/v1/health/service/web?index=${index}&wait=1m`);
    await http(`${r.url}/v1/kv/x`, 'PUT', 'y');
    await settle();
    expect(q.isDone()).toBe(false);
    clock.advance(60_000 + 60_000 / 16);
    expect(Number((await q.res).headers.get('x-consul-index'))).toBe(index);
  });

  it('caps wait at 10m and defaults to 5m (vector 31)', async () => {
    await start();
    const index = (await http(`${r.url}/v1/catalog/services`)).headers.get('x-consul-index');
    const capped = await parked(`/v1/catalog/services?index=${index}&wait=20m`);
    clock.advance(10 * 60_000 + 37_500);
    expect((await capped.res).status).toBe(200);

    const dflt = await parked(`/v1/catalog/services?index=${index}`);
    clock.advance(5 * 60_000 - 1);
    await settle();
    expect(dflt.isDone()).toBe(false);
    clock.advance(18_751);
    expect((await dflt.res).status).toBe(200);
  });

  it('a KV read blocks on its own index', async () => {
    await start();
    const first = await http(`${r.url}/v1/kv/cfg`, 'PUT', 'a');
    expect(first.text).toBe('true');
    const index = (await http(`${r.url}/v1/kv/cfg`)).headers.get('x-consul-index');
    const q = await parked(`/v1/kv/cfg?index=${index}&wait=1m`);
    await http(`${r.url}/v1/kv/cfg`, 'PUT', 'b');
    const res = await q.res;
    expect((res.json() as { Value: string }[])[0].Value).toBe(Buffer.from('b').toString('base64'));
  });

  it('under the eureka model a watcher sees a registration only at the next 30 s cache sync', async () => {
    await start({ semantics: 'eureka' });
    const index = (await http(`${r.url}/v1/health/service/app`)).headers.get('x-consul-index');
    const q = await parked(`/v1/health/service/app?index=${index}&wait=5m`);
    await http(`${r.url}/v1/agent/service/register`, 'PUT', '{"Name":"app","ID":"a","Check":{"TTL":"90s"}}');
    clock.advance(29_999);
    await settle();
    expect(q.isDone()).toBe(false);
    clock.advance(1);
    const res = await q.res;
    expect((res.json() as unknown[]).length).toBe(1);
    expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThan(Number(index));
  });

  it('writes that land in the same turn of the event loop (a burst of registrations) release a watcher once, with all of them', async () => {
    await start();
    const index = Number((await http(`${r.url}/v1/health/service/web`)).headers.get('x-consul-index'));
    const q = await parked(`/v1/health/service/web?index=${index}&wait=5m`);
    const core = r.embedded!.core;
    const register = (id: string) =>
      core.register(decodeServiceDefinition(JSON.stringify({ Name: 'web', ID: id, Check: { TTL: '10s', Status: 'passing' } }), { profile: 'modern', semantics: core.model.semantics }), false);
    // Two timer callbacks of one timers phase, as two requests read in one poll phase: the watcher is woken
    // by the first write and answers after the second.
    setTimeout(() => register('web-1'), 0);
    setTimeout(() => register('web-2'), 0);
    const res = await q.res;
    expect((res.json() as { Service: { ID: string } }[]).map((e) => e.Service.ID).sort()).toEqual(['web-1', 'web-2']);
    expect(Number(res.headers.get('x-consul-index'))).toBe(index + 2);
  });

  it('watchers woken by the same write share one answer, and the next write gives them a new one', async () => {
    await start();
    const register = (id: string) => http(`${r.url}/v1/agent/service/register`, 'PUT', JSON.stringify({ Name: 'web', ID: id, Check: { TTL: '10s', Status: 'passing' } }));
    await register('web-1');
    const index = Number((await http(`${r.url}/v1/health/service/web`)).headers.get('x-consul-index'));
    const a = await parked(`/v1/health/service/web?index=${index}&wait=5m`);
    const b = await parked(`/v1/health/service/web?wait=5m&index=${index}`);
    await register('web-2');
    const [ra, rb] = [await a.res, await b.res];
    expect(ra.text).toBe(rb.text);
    expect((ra.json() as { Service: { ID: string } }[]).map((e) => e.Service.ID).sort()).toEqual(['web-1', 'web-2']);
    // A read with other parameters is its own answer; a write makes every answer new.
    expect((await http(`${r.url}/v1/health/service/web?passing=1`)).json()).toHaveLength(2);
    await http(`${r.url}/v1/agent/check/fail/service:web-2`, 'PUT');
    expect(((await http(`${r.url}/v1/health/service/web?passing=1`)).json() as { Service: { ID: string } }[]).map((e) => e.Service.ID)).toEqual(['web-1']);
    expect((await http(`${r.url}/v1/health/service/web`)).json()).toHaveLength(2);
  });

  it('stop() ends parked queries and leaves no timers', async () => {
    await start();
    const q = await parked('/v1/health/service/web?index=1000&wait=5m');
    await r.stop();
    await q.res.catch(() => undefined);
    expect(clock.pending).toBe(0);
  });
});
