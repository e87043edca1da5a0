import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:http';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { Client } from './client.ts';
import { Server, type RequestContext } from './server.ts';
import { MicroError } from './errors.ts';
import { NodeCache } from './node-cache.ts';
import { Selector } from './selector.ts';
import type { RegistryNode } from './types.ts';
import { withTraceHeaders } from './trace-context.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

async function server(setup: (s: Server) => void): Promise<Server> {
  const s = new Server();
  setup(s);
  await s.start();
  cleanups.push(() => s.stop(100));
  return s;
}

function client(options: ConstructorParameters<typeof Client>[0] = {}): Client {
  const c = new Client(options);
  cleanups.push(() => c.close());
  return c;
}

/** An address nothing listens on (bound, then released). */
async function deadAddress(): Promise<string> {
  const h = createServer();
  await new Promise<void>((r) => h.listen(0, '127.0.0.1', r));
  const { port } = h.address() as AddressInfo;
  await new Promise((r) => h.close(r));
  return `127.0.0.1:${port}`;
}

describe('Client', () => {
  it('sends go-micro headers and decodes the JSON reply', async () => {
    const seen: RequestContext[] = [];
    const s = await server((s) =>
      s.handle('Say.Hello', (req: { name: string }, ctx) => {
        seen.push(ctx);
        return { msg: 'Hello ' + req.name };
      }),
    );
    const c = client({ timeoutMs: 2_000 });
    expect(await c.call('go.micro.srv.greeter', 'Say.Hello', { name: 'John' }, { address: s.address, headers: { 'X-Trace': 't1' } })).toEqual({ msg: 'Hello John' });
    await c.call('go.micro.srv.greeter', 'Say.Hello', { name: 'B' }, { address: s.address });
    const md = seen[0]!.metadata;
    expect(md).toMatchObject({
      'Micro-Id': '0',
      'Micro-Service': 'go.micro.srv.greeter',
      'Micro-Method': 'Say.Hello',
      'Micro-Endpoint': 'Say.Hello',
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'X-Trace': 't1',
    });
    expect(Number(md['Timeout'])).toBeGreaterThan(1_000_000_000);
    expect(Number(md['Timeout'])).toBeLessThanOrEqual(2_000_000_000);
    expect(seen[1]!.metadata['Micro-Id']).toBe('1');
  });

  it('a metadata header named like one the client sets gives way to it, whatever its case: each name once on the wire', async () => {
    const heads: string[][] = [];
    const h = createServer((req, res) => {
      heads.push(req.rawHeaders);
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"msg":"ok"}');
      });
    });
    await new Promise<void>((r) => h.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => h.close(r)));
    const address = `127.0.0.1:${(h.address() as AddressInfo).port}`;
    const c = client({ timeoutMs: 2_000 });
    await c.call('go.micro.srv.greeter', 'Say.Hello', {}, { address, headers: { 'content-type': 'text/plain', 'micro-service': 'other', HOST: 'elsewhere', 'X-Trace': 't1' } });
    const names = heads[0]!.filter((_v, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
    const value = (name: string) => heads[0]![heads[0]!.findIndex((n, i) => i % 2 === 0 && n.toLowerCase() === name) + 1];
    expect(value('content-type')).toBe('application/json');
    expect(value('micro-service')).toBe('go.micro.srv.greeter');
    expect(value('host')).toBe(address);
    expect(value('x-trace')).toBe('t1');
  });

  it('forwards the handled request\'s trace context, and a traceparent the caller sets wins; each once', async () => {
    const heads: string[][] = [];
    const h = createServer((req, res) => {
      heads.push(req.rawHeaders);
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    await new Promise<void>((r) => h.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => h.close(r)));
    const address = `127.0.0.1:${(h.address() as AddressInfo).port}`;
    const c = client({ timeoutMs: 2_000 });
    const inbound = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'a=1' };
    const own = '00-11111111111111111111111111111111-2222222222222222-01';
    await withTraceHeaders(inbound, () => c.call('s', 'E.m', {}, { address, headers: { Tracestate: 'stale' } }));
    await withTraceHeaders(inbound, () => c.call('s', 'E.m', {}, { address, headers: { Traceparent: own } }));
    const values = (head: string[], name: string) => head.filter((n, i) => i % 2 === 0 && n.toLowerCase() === name).map((n) => head[head.indexOf(n) + 1]);
    expect(values(heads[0]!, 'traceparent')).toEqual([inbound.traceparent]);
    expect(values(heads[0]!, 'tracestate')).toEqual(['a=1']);
    expect(values(heads[1]!, 'traceparent')).toEqual([own]);
    expect(values(heads[1]!, 'tracestate')).toEqual([]);
  });

  it('surfaces Micro-Error as a MicroError and retries once on 500, never on 400', async () => {
    const calls = { bad: 0, boom: 0 };
    const s = await server((s) => {
      s.handle('X.Bad', () => {
        calls.bad++;
        throw MicroError.badRequest('svc', 'bad');
      });
      s.handle('X.Boom', () => {
        calls.boom++;
        throw MicroError.internal('svc', 'boom');
      });
    });
    const c = client();
    await expect(c.call('svc', 'X.Bad', {}, { address: s.address })).rejects.toMatchObject({ code: 400, detail: 'bad', id: 'svc' });
    await expect(c.call('svc', 'X.Boom', {}, { address: s.address })).rejects.toMatchObject({ code: 500, detail: 'boom' });
    expect(calls).toEqual({ bad: 1, boom: 2 });
  });

  it('times out with go-micro\'s 408', async () => {
    const s = await server((s) => s.handle('X.Slow', (_r, ctx) => new Promise((r) => ctx.signal.addEventListener('abort', r))));
    const c = client();
    const err = await c.call('svc', 'X.Slow', {}, { address: s.address, timeoutMs: 100 }).catch((e: unknown) => e);
    expect(JSON.stringify(err)).toBe('{"id":"go.micro.client","code":408,"detail":"call timeout: context deadline exceeded","status":"Request Timeout"}');
  });

  it('does not retry once an attempt used up the time the call had, even when Date.now() says some is left', async () => {
    let servedByLive = 0;
    const hung = await server((s) => s.handle('X.Y', (_r, ctx) => new Promise((r) => ctx.signal.addEventListener('abort', r))));
    const live = await server((s) =>
      s.handle('X.Y', () => {
        servedByLive++;
        return {};
      }),
    );
    const node = (id: string, address: string): RegistryNode => ({ id, address, metadata: {} });
    const services = [{ name: 'svc', version: '', metadata: {}, endpoints: [], nodes: [node('hung', hung.address), node('live', live.address)] }];
    let lookups = 0;
    const registry = {
      // the first lookup answers, the cache's watch after it waits until the cache closes
      getService: (_name: string, o: { signal?: AbortSignal } = {}) =>
        lookups++ === 0 ? Promise.resolve({ services, index: 1 }) : new Promise<never>((_, reject) => o.signal?.addEventListener('abort', () => reject(new Error('closed')))),
    };
    const cache = new NodeCache(registry);
    cleanups.push(async () => cache.close());
    // the hung node first, the live one for a retry (it is the only one not tried)
    class InOrder extends Selector {
      override select(_service: string, nodes: readonly RegistryNode[]): RegistryNode | undefined {
        return nodes[0];
      }
    }
    const c = client({ cache, selector: new InOrder({ strategy: 'random' }), retries: 1 });
    // The attempt's timer and Date.now() disagree by up to a millisecond, so the retry loop could see 1 ms
    // left after the attempt timed out; here Date.now() lags the timers by 50 ms once the call started, so
    // the loop would see 50 ms left, and the live node would be called with the time that is not there.
    const realNow = Date.now.bind(Date);
    let lagMs = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() - lagMs);
    cleanups.push(async () => vi.restoreAllMocks());
    const started = performance.now();
    const call = c.call('svc', 'X.Y', {}, { timeoutMs: 200 }).catch((e: unknown) => e);
    lagMs = 50;
    const err = (await call) as MicroError;
    expect(err.toJSON()).toMatchObject({ code: 408, detail: 'call timeout: context deadline exceeded' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(199);
    expect(servedByLive).toBe(0);
  });

  it('reports a refused connection as a connection error and ejects the node', async () => {
    const addr = await deadAddress();
    const selector = new Selector({ strategy: 'random' });
    const c = client({ selector });
    const err = (await c.call('svc', 'X.Y', {}, { address: addr }).catch((e: unknown) => e)) as MicroError;
    expect(err.toJSON()).toEqual({
      id: 'go.micro.client',
      code: 500,
      detail: `connection error: dial tcp ${addr}: connect: connection refused`,
      status: 'Internal Server Error',
    });
    expect(selector.isEjected({ id: addr, address: addr, metadata: {} })).toBe(true);
  });

  it('ejects a node whose fresh connection is closed before any answer (a proxy in front of a dead instance)', async () => {
    for (const how of ['close', 'reset'] as const) {
      let accepted = 0;
      const front = netServer((socket) => {
        accepted++;
        // what a fault-plane link (or Toxiproxy) does when its upstream refuses: close the accepted socket
        socket.once('data', () => (how === 'close' ? socket.destroy() : socket.resetAndDestroy()));
      });
      await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
      cleanups.push(() => new Promise((r) => front.close(r)));
      const addr = `127.0.0.1:${(front.address() as AddressInfo).port}`;
      const selector = new Selector({ strategy: 'random' });
      const err = (await client({ selector, retries: 0 }).call('svc', 'X.Y', {}, { address: addr }).catch((e: unknown) => e)) as MicroError;
      expect({ how, code: err.code, detail: err.detail.startsWith('connection error: ') }).toEqual({ how, code: 500, detail: true });
      expect({ how, accepted, ejected: selector.isEjected({ id: addr, address: addr, metadata: {} }) }).toEqual({ how, accepted: 1, ejected: true });
    }
  });

  it('does not eject a node that answered with an error', async () => {
    const s = await server((s) => s.handle('X.Boom', () => {
      throw MicroError.internal('svc', 'boom');
    }));
    const selector = new Selector({ strategy: 'random' });
    await expect(client({ selector }).call('svc', 'X.Boom', {}, { address: s.address })).rejects.toMatchObject({ code: 500 });
    expect(selector.isEjected({ id: s.address, address: s.address, metadata: {} })).toBe(false);
  });

  it('maps a non-200 transport answer to go.micro.client.transport', async () => {
    const h = createServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found\n');
    });
    await new Promise<void>((r) => h.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => h.close(r)));
    const addr = `127.0.0.1:${(h.address() as AddressInfo).port}`;
    const err = (await client().call('svc', 'X.Y', {}, { address: addr }).catch((e: unknown) => e)) as MicroError;
    expect(err.toJSON()).toMatchObject({ id: 'go.micro.client.transport', code: 500, detail: '404 Not Found: 404 page not found\n' });
  });

  it('through a proxy: names the original service and does not retry', async () => {
    const seen: string[] = [];
    const proxy = await server((s) =>
      s.handle('Say.Hello', (_r, ctx) => {
        seen.push(`${ctx.service} ${ctx.endpoint}`);
        throw MicroError.internal('go.micro.proxy', 'upstream down');
      }),
    );
    const c = client({ proxyAddress: proxy.address, registryAddress: await deadAddress() });
    await expect(c.call('go.micro.srv.greeter', 'Say.Hello', {})).rejects.toMatchObject({ code: 500, detail: 'upstream down' });
    expect(seen).toEqual(['go.micro.srv.greeter Say.Hello']);
  });

  it('without registry, proxy or address: a selection error', async () => {
    await expect(client().call('svc', 'X.Y', {})).rejects.toMatchObject({
      id: 'go.micro.client',
      code: 500,
      detail: 'error selecting svc node: no registry configured',
    });
  });

  it('a tracer that throws fails the call as a rejected promise, never a throw from callRaw', async () => {
    const c = client({ tracer: { call: () => { throw new Error('tracer broke'); } } });
    const address = await deadAddress();
    let returned: Promise<unknown> | undefined;
    expect(() => (returned = c.callRaw('x', 'X.Y', Buffer.from('{}'), { contentType: 'application/json', address }))).not.toThrow();
    await expect(returned).rejects.toThrow('tracer broke');
  });

  it('sends text bodies as UTF-8 with their byte length (call, and callRaw given a string)', async () => {
    const s = await server((s) => s.handle('Echo.Raw', (req: unknown) => req));
    const name = 'Jöhn ☃ 𝄞';
    expect(await client().call('svc', 'Echo.Raw', { name }, { address: s.address })).toEqual({ name });
    const res = await client().callRaw('svc', 'Echo.Raw', JSON.stringify({ name }), { contentType: 'application/json', address: s.address });
    expect(JSON.parse(res.body.toString('utf8'))).toEqual({ name });
  });

  it('callRaw passes bytes and content type through', async () => {
    const s = await server((s) => s.handle('Echo.Raw', (req: unknown) => req));
    const res = await client().callRaw('svc', 'Echo.Raw', Buffer.from('{"a":[1,2]}'), { contentType: 'application/json', address: s.address });
    expect(res.body.toString()).toBe('{"a":[1,2]}\n');
    expect(res.headers['micro-endpoint']).toBe('Echo.Raw');
  });

  it("reads Micro-Error from the head as received, any case, several joined; the answer's header record is node:http's", async () => {
    // a server in another language: lower-case names, a header node:http would join
    let answer: [string, string][] = [];
    const h = createServer((_req, res) => {
      res.writeHead(200, answer.flat());
      res.end('{}');
    });
    await new Promise<void>((r) => h.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => h.close(r)));
    const address = `127.0.0.1:${(h.address() as AddressInfo).port}`;
    const c = client({ retries: 0 });
    answer = [['micro-error', '{"id":"svc","code":400,"detail":"bad name","status":"Bad Request"}']];
    await expect(c.call('svc', 'X.Y', {}, { address })).rejects.toMatchObject({ id: 'svc', code: 400, detail: 'bad name' });
    // two of them: joined with ', ' as node:http's record joins them, which is no longer one JSON error
    answer = [['MICRO-ERROR', 'first'], ['Micro-Error', 'second']];
    await expect(c.call('svc', 'X.Y', {}, { address })).rejects.toMatchObject({ detail: 'first, second' });
    answer = [['X-Reply', 'a'], ['x-reply', 'b'], ['Set-Cookie', 'k=1'], ['Set-Cookie', 'k=2']];
    const res = await c.callRaw('svc', 'X.Y', Buffer.from('{}'), { contentType: 'application/json', address });
    expect(res.headers).toMatchObject({ 'x-reply': 'a, b', 'set-cookie': 'k=1,k=2' });
    expect(res.headers).toBe(res.headers);
  });
});
