import { afterEach, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { request } from 'undici';
import { Server } from './server.ts';
import { MicroError } from './errors.ts';
import { unixSocketPath } from './unix-socket.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop(100)));
});

async function greeter(): Promise<Server> {
  const s = new Server();
  s.handle('Say.Hello', (req: { name: string }) => ({ msg: 'Hello ' + req.name }));
  s.handle('Say.Fail', () => {
    throw MicroError.badRequest('go.micro.srv.greeter', 'nope');
  });
  s.handle('Say.Plain', () => {
    throw new Error('plain failure');
  });
  servers.push(s);
  await s.start();
  return s;
}

const MUCP = {
  'Content-Type': 'application/json',
  Accept: 'application/json',
  'Micro-Id': '7',
  'Micro-Service': 'go.micro.srv.greeter',
  'Micro-Method': 'Say.Hello',
  'Micro-Endpoint': 'Say.Hello',
  Timeout: '5000000000',
  'X-Trace': 'abc',
};

async function post(s: Server, headers: Record<string, string>, body: string, path = '/') {
  const res = await request(`http://${s.address}${path}`, { method: 'POST', headers, body });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

describe('Server (mucp over HTTP, JSON codec)', () => {
  it('answers 200 with the JSON body plus a newline and echoes headers with Micro-* and X-Micro-*', async () => {
    const s = await greeter();
    const r = await post(s, MUCP, '{"name":"John"}\n');
    expect(r.status).toBe(200);
    expect(r.text).toBe('{"msg":"Hello John"}\n');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['content-length']).toBe('21');
    for (const [k, v] of Object.entries({ 'micro-id': '7', 'micro-service': 'go.micro.srv.greeter', 'micro-method': 'Say.Hello', 'micro-endpoint': 'Say.Hello' })) {
      expect(r.headers[k]).toBe(v);
      expect(r.headers['x-' + k]).toBe(v);
    }
    expect(r.headers['x-trace']).toBe('abc');
    expect(r.headers['timeout']).toBe('5000000000');
    expect(r.headers['micro-error']).toBeUndefined();
  });

  it('names each reply header once: the request\'s Micro-*, X-Micro-* and Content-Type give way to the reply\'s own', async () => {
    const s = await greeter();
    const sent = { ...MUCP, 'X-Micro-Id': '7', 'Micro-Error': 'left over', 'Content-Type': 'application/json' };
    const failed = await post(s, { ...sent, 'Micro-Method': 'Say.Fail', 'Micro-Endpoint': 'Say.Fail' }, '{}');
    for (const [k, v] of Object.entries(failed.headers)) expect(Array.isArray(v), k).toBe(false);
    expect(MicroError.parse(String(failed.headers['micro-error'])).detail).toBe('nope');
    expect(failed.headers['x-micro-error']).toBe(failed.headers['micro-error']);
    expect(failed.headers['content-type']).toBeUndefined();
    const ok = await post(s, sent, '{"name":"John"}');
    for (const [k, v] of Object.entries(ok.headers)) expect(Array.isArray(v), k).toBe(false);
    expect(ok.headers['x-micro-id']).toBe('7');
    // a request header the reply does not set itself is echoed, as go-micro copies them all
    expect(ok.headers['micro-error']).toBe('left over');
  });

  it('serves any path and accepts X-Micro-* aliases', async () => {
    const s = await greeter();
    const r = await post(
      s,
      { 'Content-Type': 'application/json', 'X-Micro-Service': 'go.micro.srv.greeter', 'X-Micro-Endpoint': 'Say.Hello' },
      '{"name":"A"}',
      '/anything/here',
    );
    expect(r.text).toBe('{"msg":"Hello A"}\n');
  });

  it('puts a handler MicroError in Micro-Error with an empty 200 body', async () => {
    const s = await greeter();
    const r = await post(s, { ...MUCP, 'Micro-Endpoint': 'Say.Fail', 'Micro-Method': 'Say.Fail' }, '{}');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    expect(r.headers['content-length']).toBe('0');
    expect(r.headers['micro-error']).toBe('{"id":"go.micro.srv.greeter","code":400,"detail":"nope","status":"Bad Request"}');
    expect(r.headers['x-micro-error']).toBe(r.headers['micro-error']);
  });

  it('sends plain error strings for plain errors and routing failures', async () => {
    const s = await greeter();
    const err = async (endpoint: string) =>
      (await post(s, { ...MUCP, 'Micro-Endpoint': endpoint, 'Micro-Method': endpoint }, '{}')).headers['micro-error'];
    expect(await err('Say.Plain')).toBe('plain failure');
    expect(await err('Say.Nope')).toBe("rpc: can't find method Nope");
    expect(await err('Nope.Hello')).toBe("rpc: can't find service Nope");
    expect(await err('Hello')).toBe('rpc: service/endpoint request ill-formed: Hello');
  });

  it('rejects codecs it does not speak with a text/plain body', async () => {
    const s = await greeter();
    const r = await post(s, { ...MUCP, 'Content-Type': 'application/protobuf' }, '');
    expect(r.headers['content-type']).toBe('text/plain');
    expect(r.text).toBe('Unsupported Content-Type: application/protobuf');
    const none = await post(s, { 'Micro-Service': 'x', 'Micro-Endpoint': 'Say.Hello' }, '');
    expect(none.text).toBe('Unsupported Content-Type: application/protobuf');
  });

  it('falls back to JSON-RPC when no Micro-* header is present', async () => {
    const s = await greeter();
    const r = await post(s, { 'Content-Type': 'application/json' }, '{"method":"Say.Hello","params":[{"name":"Py"}],"id":3}');
    expect(JSON.parse(r.text)).toEqual({ id: 3, result: { msg: 'Hello Py' }, error: null });
    const bad = await post(s, { 'Content-Type': 'application/json' }, '{"method":"Say.Nope","params":[{}],"id":4}');
    expect(JSON.parse(bad.text)).toEqual({ id: 4, result: null, error: "rpc: can't find method Nope" });
  });

  it('passes the Timeout deadline to the handler as an abort signal', async () => {
    const s = new Server();
    servers.push(s);
    let aborted: unknown;
    s.handle('Slow.Wait', async (_req, ctx) => {
      aborted = await new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(ctx.signal.reason), { once: true }));
      return {};
    });
    await s.start();
    await post(s, { ...MUCP, 'Micro-Endpoint': 'Slow.Wait', Timeout: String(50 * 1e6) }, '{}');
    expect(String(aborted)).toContain('context deadline exceeded');
  });

  it('a signal first read after the deadline is already aborted, and one never read aborts nothing', async () => {
    const s = new Server();
    servers.push(s);
    let late: AbortSignal | undefined;
    let unread = 0;
    s.handle('Slow.Late', async (_req, ctx) => {
      await new Promise((r) => setTimeout(r, 80));
      late = ctx.signal;
      return { aborted: late.aborted };
    });
    s.handle('Slow.Unread', async () => {
      await new Promise((r) => setTimeout(r, 80));
      unread++;
      return {};
    });
    await s.start();
    const r = await post(s, { ...MUCP, 'Micro-Endpoint': 'Slow.Late', Timeout: String(20 * 1e6) }, '{}');
    expect(r.text).toBe('{"aborted":true}\n');
    expect(String(late?.reason)).toContain('context deadline exceeded');
    // before the deadline: not aborted when read, and aborted at it
    const early = await post(s, { ...MUCP, 'Micro-Endpoint': 'Slow.Late', Timeout: String(5_000 * 1e6) }, '{}');
    expect(early.text).toBe('{"aborted":false}\n');
    const u = await post(s, { ...MUCP, 'Micro-Endpoint': 'Slow.Unread', Timeout: String(20 * 1e6) }, '{}');
    expect(u.status).toBe(200);
    expect(unread).toBe(1);
  });

  it('a signal read while the caller waits aborts when the caller goes away; one read after it is already aborted', async () => {
    const s = new Server();
    servers.push(s);
    const reasons: unknown[] = [];
    let readLate!: (signal: AbortSignal) => void;
    const lateSignal = new Promise<AbortSignal>((r) => (readLate = r));
    s.handle('Slow.Watch', async (_req, ctx) => {
      reasons.push(await new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(ctx.signal.reason), { once: true })));
      return {};
    });
    s.handle('Slow.After', async (_req, ctx) => {
      await new Promise((r) => setTimeout(r, 150));
      readLate(ctx.signal);
      return {};
    });
    await s.start();
    for (const endpoint of ['Slow.Watch', 'Slow.After']) {
      const gone = new AbortController();
      const call = request(`http://${s.address}/`, { method: 'POST', headers: { ...MUCP, 'Micro-Endpoint': endpoint }, body: '{}', signal: gone.signal });
      setTimeout(() => gone.abort(), 50);
      await expect(call).rejects.toThrow();
    }
    const late = await lateSignal;
    await expect.poll(() => reasons.length).toBe(1);
    expect(String(reasons[0])).toContain('context canceled');
    expect(late.aborted).toBe(true);
    expect(String(late.reason)).toContain('context canceled');
  });

  it('stop() drains in-flight calls before closing', async () => {
    const s = new Server();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const inHandler = new Promise<void>((r) => (started = r));
    s.handle('Slow.Wait', async () => {
      started();
      await gate;
      return { ok: true };
    });
    await s.start();
    const call = post(s, { ...MUCP, 'Micro-Endpoint': 'Slow.Wait' }, '{}');
    await inHandler;
    expect(s.inFlight).toBe(1);
    const stopped = s.stop(5_000);
    release();
    const r = await call;
    await stopped;
    expect(r.text).toBe('{"ok":true}\n');
    await expect(post(s, MUCP, '{}')).rejects.toThrow();
  });

  it('carries UTF-8 error details through the header intact', async () => {
    const s = new Server();
    servers.push(s);
    s.handle('Say.Utf', () => {
      throw MicroError.badRequest('x', 'héllo ✓');
    });
    await s.start();
    const r = await post(s, { ...MUCP, 'Micro-Endpoint': 'Say.Utf' }, '{}');
    expect(MicroError.parse(Buffer.from(r.headers['micro-error'] as string, 'latin1').toString('utf8')).detail).toBe('héllo ✓');
  });
});

describe('Server.start', () => {
  it('names the address when the port is taken', async () => {
    const a = new Server();
    servers.push(a);
    await a.start();
    const b = new Server({ address: a.address });
    await expect(b.start()).rejects.toThrow(`cannot listen on ${a.address}: address already in use`);
  });
});

describe.runIf(process.platform === 'linux')('Server on a Unix socket beside its port (MICRO_DEV_SERVER_SOCKET)', () => {
  const socketName = () => `@kit-server-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const viaSocket = (name: string, body: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest({ socketPath: unixSocketPath(name), agent: false, method: 'POST', path: '/', headers: { ...MUCP, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('answers the same calls on the socket as on the port, and stop() closes both', async () => {
    const name = socketName();
    const s = new Server({ socket: name });
    s.handle('Say.Hello', (req: { name: string }) => ({ msg: 'Hello ' + req.name }));
    await s.start();
    expect(await viaSocket(name, '{"name":"Unix"}')).toEqual({ status: 200, text: '{"msg":"Hello Unix"}\n' });
    expect((await post(s, MUCP, '{"name":"Tcp"}')).text).toBe('{"msg":"Hello Tcp"}\n');
    await s.stop(100);
    await expect(viaSocket(name, '{}')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('names the socket when it is taken, and lets go of it when the port is', async () => {
    const name = socketName();
    const a = new Server({ socket: name });
    servers.push(a);
    await a.start();
    await expect(new Server({ socket: name }).start()).rejects.toThrow(`cannot listen on unix socket ${name}: address already in use`);
    // the port taken after the socket was bound: the socket is free again for the next try
    const other = socketName();
    const b = new Server({ address: a.address, socket: other });
    await expect(b.start()).rejects.toThrow('address already in use');
    const c = new Server({ socket: other });
    servers.push(c);
    await c.start();
    expect(await viaSocket(other, '{}')).toMatchObject({ status: 200 });
  });
});
