import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Toxiproxy, ToxiproxyError } from 'toxiproxy-node-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StartedFaultAdmin } from '../../runner/faults/admin-server.ts';
import { startFaultAdmin } from '../../runner/faults/admin-server.ts';
import { FaultPlane } from '../../runner/faults/fault-plane.ts';
import { seededRandom } from '../../runner/faults/seeded-random.ts';

interface Answer {
  status: number;
  body: string;
  ms: number;
}

function get(port: number, agent: http.Agent): Promise<Answer> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/hello', agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - start }));
    });
    req.setTimeout(5_000, () => req.destroy(new Error('request timed out after 5000 ms')));
    req.on('error', reject);
  });
}

function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

describe('Toxiproxy-compatible admin API, driven by toxiproxy-node-client', () => {
  let backend: http.Server;
  let upstream: string;
  let plane: FaultPlane;
  let admin: StartedFaultAdmin;
  let toxiproxy: Toxiproxy;
  let agent: http.Agent;

  beforeEach(async () => {
    backend = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    upstream = `127.0.0.1:${(backend.address() as AddressInfo).port}`;
    plane = new FaultPlane({ random: seededRandom(7) });
    admin = await startFaultAdmin(plane, { host: '127.0.0.1', port: 0 });
    toxiproxy = new Toxiproxy(admin.url);
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  });

  // The client's Proxy#toJson drops the toxics list, so read it from the API itself.
  const toxicsOf = async (name: string) => (await fetch(`${admin.url}/proxies/${name}/toxics`)).json();

  afterEach(async () => {
    agent.destroy();
    await admin.stop();
    await plane.close();
    backend.closeAllConnections();
    await new Promise<void>((r) => backend.close(() => r()));
  });

  it('creates a proxy that is a live link, and a latency toxic slows a request by at least its ms', async () => {
    expect(await toxiproxy.getVersion()).toContain('"version"');
    const proxy = await toxiproxy.createProxy({ name: 'api', listen: '127.0.0.1:0', upstream });
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(proxy.listen)).toBeGreaterThan(0);
    expect(proxy.enabled).toBe(true);
    expect(plane.link('api')?.listen).toBe(proxy.listen);

    const port = portOf(proxy.listen);
    expect((await get(port, agent)).body).toBe('ok');

    const toxic = await proxy.addToxic({
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 120, jitter: 0 },
    });
    expect(toxic.toJson()).toEqual({
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 120, jitter: 0 },
    });
    const slow = await get(port, agent);
    expect(slow.body).toBe('ok');
    expect(slow.ms).toBeGreaterThanOrEqual(115);

    const fetched = await proxy.getToxic<{ latency: number; jitter: number }>('slow');
    const updated = await fetched.update({ ...fetched.toJson(), attributes: { latency: 10, jitter: 0 } });
    expect(updated.attributes.latency).toBe(10);

    await updated.remove();
    expect(await toxicsOf('api')).toEqual([]);
    expect(plane.link('api')?.stats().accepted).toBe(1);
  });

  it('reset_peer makes the request fail; disabling refuses connections; /reset heals both', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'db', listen: '127.0.0.1:0', upstream });
    const port = portOf(proxy.listen);
    await proxy.addToxic({ name: 'rst', type: 'reset_peer', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
    await expect(get(port, new http.Agent())).rejects.toThrow(/ECONNRESET|socket hang up/);

    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream });
    expect(disabled.enabled).toBe(false);
    await expect(get(port, new http.Agent())).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await toxiproxy.reset();
    const healed = await toxiproxy.get('db');
    expect(healed.enabled).toBe(true);
    expect(healed.listen).toBe(proxy.listen);
    expect(await toxicsOf('db')).toEqual([]);
    expect((await get(port, new http.Agent())).body).toBe('ok');
  });

  it('populates idempotently, lists and deletes proxies', async () => {
    const first = await toxiproxy.populate([
      { name: 'a', listen: '127.0.0.1:0', upstream },
      { name: 'b', listen: '127.0.0.1:0', upstream, enabled: false },
    ]);
    expect(Object.keys(first).sort()).toEqual(['a', 'b']);
    expect(first.b!.enabled).toBe(false);
    const again = await toxiproxy.populate([{ name: 'a', listen: first.a!.listen, upstream }]);
    expect(again.a!.listen).toBe(first.a!.listen);

    expect(Object.keys(await toxiproxy.getAll()).sort()).toEqual(['a', 'b']);
    await first.b!.remove();
    expect(Object.keys(await toxiproxy.getAll())).toEqual(['a']);
  });

  it("answers with Toxiproxy's error catalogue: status codes and messages", async () => {
    await toxiproxy.createProxy({ name: 'api', listen: '127.0.0.1:0', upstream });
    await expect(toxiproxy.createProxy({ name: 'api', listen: '127.0.0.1:0', upstream })).rejects.toBeInstanceOf(ToxiproxyError);

    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${admin.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, text: await res.text() };
    };
    const error = (status: number, message: string) => ({ status, text: `${JSON.stringify({ error: message, status })}\n` });

    expect(await call('POST', '/proxies', { name: 'api', upstream })).toEqual(error(409, 'proxy already exists'));
    expect(await call('POST', '/proxies', { upstream })).toEqual(error(400, 'missing required field: name'));
    expect(await call('POST', '/proxies', { name: 'x' })).toEqual(error(400, 'missing required field: upstream'));
    expect(await call('POST', '/proxies')).toEqual(error(400, 'bad request body: EOF'));
    expect(await call('GET', '/proxies/nope')).toEqual(error(404, 'proxy not found'));
    expect(await call('POST', '/proxies/api/toxics', { type: 'latency', stream: 'sideways' })).toEqual(
      error(400, 'stream was invalid, can be either upstream or downstream'),
    );
    expect(await call('POST', '/proxies/api/toxics', { type: 'teleport' })).toEqual(error(400, 'invalid toxic type'));
    const created = await call('POST', '/proxies/api/toxics', { type: 'latency', attributes: { latency: 5 } });
    expect(created.status).toBe(200);
    expect(JSON.parse(created.text)).toEqual({
      attributes: { latency: 5, jitter: 0 },
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
    });
    expect(await call('POST', '/proxies/api/toxics', { type: 'latency' })).toEqual(error(409, 'toxic already exists'));
    expect(await call('GET', '/proxies/api/toxics/nope')).toEqual(error(404, 'toxic not found'));
    expect(await call('DELETE', '/proxies/api/toxics/nope')).toEqual(error(404, 'toxic not found'));
    expect((await call('DELETE', '/proxies/api/toxics/latency_downstream')).status).toBe(204);
    expect(await call('GET', '/nowhere')).toEqual({ status: 404, text: '404 page not found\n' });
    expect((await call('PUT', '/proxies')).status).toBe(405);
    expect((await call('POST', '/populate', [{ name: 'p' }])).text).toBe(
      `${JSON.stringify({ error: 'missing required field: upstream at proxy 1', status: 400, proxies: null })}\n`.trimEnd(),
    );
  });
});
