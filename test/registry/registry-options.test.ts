import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../runner/clock/clock.ts';
import { isMicroDevError } from '../../runner/errors/micro-dev-error.ts';
import { formatRegistryStatus } from '../../runner/registry/format-status.ts';
import type { RegistryEvent, RegistryStatus } from '../../runner/registry/registry-types.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { eventually, http } from './registry-harness.ts';

// Embedded-only behaviour: token, port clash, persistence, probes, lease models over the wire, status.
describe('embedded registry options', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  async function start(config: Parameters<typeof startRegistry>[0], clock?: ManualClock): Promise<StartedRegistry> {
    const r = await startRegistry(config, { clock });
    cleanups.push(() => r.stop());
    return r;
  }

  it('binds 127.0.0.1 and reports the actual port', async () => {
    const r = await start({ host: '127.0.0.1', port: 0 });
    expect(r.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(r.url).toBe(`http://${r.address}`);
  });

  it('rejects a taken port with PORT_IN_USE naming the port', async () => {
    const r = await start({ host: '127.0.0.1', port: 0 });
    const port = Number(r.address.split(':')[1]);
    const err = await startRegistry({ host: '127.0.0.1', port }).catch((e: unknown) => e);
    expect(isMicroDevError(err) && err.code).toBe('PORT_IN_USE');
    expect((err as Error).message).toContain(String(port));
  });

  it('with a token, requests without it get 403 Permission denied; header, query and Bearer work', async () => {
    const r = await start({ host: '127.0.0.1', port: 0, token: 's3cret' });
    const denied = await http(`${r.url}/v1/agent/services`);
    expect([denied.status, denied.text]).toEqual([403, 'Permission denied']);
    expect((await http(`${r.url}/v1/agent/services`, 'GET', undefined, { 'X-Consul-Token': 'wrong' })).status).toBe(403);
    expect((await http(`${r.url}/v1/agent/services`, 'GET', undefined, { 'X-Consul-Token': 's3cret' })).status).toBe(200);
    expect((await http(`${r.url}/v1/agent/services?token=s3cret`)).status).toBe(200);
    expect((await http(`${r.url}/v1/agent/services`, 'GET', undefined, { Authorization: 'Bearer s3cret' })).status).toBe(200);
  });

  it('persist keeps KV and registrations (with check state) across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-registry-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'registry.json');
    const first = await startRegistry({ host: '127.0.0.1', port: 0, persist: file });
    await http(`${first.url}/v1/agent/service/register`, 'PUT', '{"Name":"web","ID":"web-1","Port":80,"Check":{"TTL":"1h"}}');
    await http(`${first.url}/v1/agent/check/pass/service:web-1?note=up`, 'PUT');
    await http(`${first.url}/v1/kv/cfg/a`, 'PUT', 'hello');
    await first.stop();
    const second = await start({ host: '127.0.0.1', port: 0, persist: file });
    const checks = (await http(`${second.url}/v1/agent/checks`)).json() as Record<string, { Status: string; Output: string }>;
    expect(checks['service:web-1']).toMatchObject({ Status: 'passing', Output: 'up' });
    expect((await http(`${second.url}/v1/kv/cfg/a?raw`)).text).toBe('hello');
  });

  it('a corrupt persist file is a clear error naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-registry-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{nope');
    await expect(startRegistry({ host: '127.0.0.1', port: 0, persist: file })).rejects.toThrow(`registry persist file ${file} is corrupt`);
  });

  it('timeScale scales the TTL, the 1 m DCSA floor and the 30 s reaper (vector 23 in real time)', async () => {
    const r = await start({ host: '127.0.0.1', port: 0, timeScale: 0.01 });
    const events: RegistryEvent[] = [];
    cleanups.push(r.subscribe((e) => events.push(e)));
    const t0 = performance.now();
    await http(`${r.url}/v1/agent/service/register`, 'PUT', '{"Name":"web","Check":{"TTL":"5s","DeregisterCriticalServiceAfter":"10s"}}');
    await eventually(() => events.some((e) => e.type === 'deregistered' && e.reason === 'reaped'), 'reaped', 5000);
    // Model time: TTL expires at 5 s, critical for > 60 s, reaper tick every 30 s -> gone in (65, 95] s.
    const modelSeconds = (performance.now() - t0) / 1000 / 0.01;
    expect(modelSeconds).toBeGreaterThan(65);
    // Registered critical, so TTL expiry changes only the output: no status-change event in between.
    expect(events.map((e) => e.type)).toEqual(['registered', 'deregistered']);
  });

  it('runs HTTP checks: 2xx passing, 429 warning, 500 critical', async () => {
    let code = 200;
    const target: Server = createServer((_req, res) => {
      res.writeHead(code);
      res.end('body');
    });
    await new Promise<void>((ok) => target.listen(0, '127.0.0.1', ok));
    cleanups.push(() => new Promise((ok) => target.close(ok)));
    const port = (target.address() as { port: number }).port;
    const r = await start({ host: '127.0.0.1', port: 0, timeScale: 0.01 });
    await http(`${r.url}/v1/agent/service/register`, 'PUT', JSON.stringify({ Name: 'web', Check: { HTTP: `http://127.0.0.1:${port}/health`, Interval: '2s' } }));
    const status = async () => ((await http(`${r.url}/v1/agent/checks`)).json() as Record<string, { Status: string; Output: string }>)['service:web'];
    await eventually(async () => (await status()).Status === 'passing', 'passing');
    expect((await status()).Output).toContain('HTTP GET http://127.0.0.1');
    code = 429;
    await eventually(async () => (await status()).Status === 'warning', 'warning');
    code = 500;
    await eventually(async () => (await status()).Status === 'critical', 'critical');
  });

  it('runs TCP checks', async () => {
    const target: Server = createServer();
    await new Promise<void>((ok) => target.listen(0, '127.0.0.1', ok));
    const port = (target.address() as { port: number }).port;
    const r = await start({ host: '127.0.0.1', port: 0, timeScale: 0.01 });
    await http(`${r.url}/v1/agent/service/register`, 'PUT', JSON.stringify({ Name: 'db', Check: { TCP: `127.0.0.1:${port}`, Interval: '1s' } }));
    const status = async () => ((await http(`${r.url}/v1/agent/checks`)).json() as Record<string, { Status: string }>)['service:db'].Status;
    await eventually(async () => (await status()) === 'passing', 'tcp passing');
    await new Promise((ok) => target.close(ok));
    await eventually(async () => (await status()) === 'critical', 'tcp critical');
  });

  it('eureka over the wire: renewals keep an instance, a dead one is evicted; status and events show it', async () => {
    const clock = new ManualClock(0);
    const r = await start({ host: '127.0.0.1', port: 0, semantics: 'eureka', eureka: { doubleExpiryQuirk: true, selfPreservation: false } }, clock);
    const events: RegistryEvent[] = [];
    cleanups.push(r.subscribe((e) => events.push(e)));
    for (const id of ['a', 'b']) await http(`${r.url}/v1/agent/service/register`, 'PUT', JSON.stringify({ Name: 'app', ID: id, Check: { TTL: '90s' } }));
    // Registered instances are UP at once, but reads see the 30 s read-only cache.
    expect((await http(`${r.url}/v1/health/service/app?passing`)).json()).toHaveLength(0);
    clock.advance(30_000);
    expect((await http(`${r.url}/v1/health/service/app?passing`)).json()).toHaveLength(2);
    for (let t = 30; t < 300; t += 30) {
      await http(`${r.url}/v1/agent/check/pass/service:a`, 'PUT');
      clock.advance(30_000);
    }
    const ids = ((await http(`${r.url}/v1/health/service/app?passing`)).json() as { Service: { ID: string } }[]).map((e) => e.Service.ID);
    expect(ids).toEqual(['a']);
    expect(events).toContainEqual(expect.objectContaining({ type: 'evicted', serviceId: 'b' }));
    const status = (await http(`${r.url}/v1/micro-dev/status`)).json() as RegistryStatus;
    expect(status).toMatchObject({ semantics: 'eureka', instances: 1, renewThreshold: 1 });
    expect(formatRegistryStatus(status)).toContain('renews last minute');
  });

  it('nacos over the wire: silent instance turns critical then disappears', async () => {
    const clock = new ManualClock(0);
    const r = await start({ host: '127.0.0.1', port: 0, semantics: 'nacos', nacos: { protectThreshold: 0 } }, clock);
    await http(`${r.url}/v1/agent/service/register`, 'PUT', JSON.stringify({ Name: 'svc', ID: 'x', Check: { TTL: '5s' } }));
    await http(`${r.url}/v1/agent/service/register`, 'PUT', JSON.stringify({ Name: 'svc', ID: 'y', Check: { TTL: '5s' } }));
    clock.advance(20_000);
    await http(`${r.url}/v1/agent/check/pass/service:y`, 'PUT');
    const checks = (await http(`${r.url}/v1/health/checks/svc`)).json() as { ServiceID: string; Status: string }[];
    expect(checks.map((c) => [c.ServiceID, c.Status])).toEqual([
      ['x', 'critical'],
      ['y', 'passing'],
    ]);
    clock.advance(15_000);
    expect(((await http(`${r.url}/v1/catalog/service/svc`)).json() as unknown[]).length).toBe(1);
  });

  it('the legacy profile keeps old agents\' answers for unknown IDs and the old interval text', async () => {
    const r = await start({ host: '127.0.0.1', port: 0, profile: 'legacy' });
    expect((await http(`${r.url}/v1/agent/service/deregister/nope`, 'PUT')).status).toBe(200);
    const pass = await http(`${r.url}/v1/agent/check/pass/nope`, 'PUT');
    expect([pass.status, pass.text]).toEqual([500, 'CheckID "nope" does not have associated TTL']);
    const bad = await http(`${r.url}/v1/agent/service/register`, 'PUT', '{"Name":"web","Check":{"TCP":"127.0.0.1:1"}}');
    expect(bad.text).toBe('Invalid check: Interval must be > 0 for Script, HTTP, or TCP checks');
    expect(((await http(`${r.url}/v1/agent/self`)).json() as { Config: { Version: string } }).Config.Version).toBe('1.4.0');
  });

  it('status() and the status route agree; formatRegistryStatus renders instances', async () => {
    const r = await start({ host: '127.0.0.1', port: 0 });
    await http(`${r.url}/v1/agent/service/register`, 'PUT', '{"Name":"web","ID":"web-1","Check":{"TTL":"10s","Status":"passing"}}');
    const wire = (await http(`${r.url}/v1/micro-dev/status`)).json() as RegistryStatus;
    expect(wire).toMatchObject({ semantics: 'consul', passing: 1, instances: 1, address: r.address });
    expect(r.status().leases.map((l) => l.serviceId)).toEqual(['web-1']);
    const text = formatRegistryStatus(wire);
    expect(text).toContain('web-1');
    expect(text).toContain('model consul');
  });
});
