import { afterEach, describe, expect, it } from 'vitest';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { HttpPool, PoolAgent } from './http-pool.ts';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

interface TestServer {
  origin: string;
  connections: Socket[];
  closed: number;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<TestServer> {
  const state: TestServer = { origin: '', connections: [], closed: 0 };
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  s.keepAliveTimeout = 30_000;
  s.on('connection', (socket: Socket) => {
    state.connections.push(socket);
    socket.on('close', () => state.closed++);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  cleanups.push(() => {
    s.closeAllConnections();
    return new Promise((resolve) => s.close(resolve));
  });
  return state;
}

function pool(keepAliveMs = 4_000): HttpPool {
  const p = new HttpPool({ keepAliveMs, connectTimeoutMs: 5_000 });
  cleanups.push(() => p.close());
  return p;
}

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * True for a request that is not the first on its connection, after dropping that connection unanswered:
 * a server closing an idle connection just as the client reuses it (no answer, a reset).
 */
function secondOnItsConnection(req: IncomingMessage): boolean {
  const socket = req.socket as Socket & { served?: number };
  socket.served = (socket.served ?? 0) + 1;
  if (socket.served === 1) return false;
  socket.destroy();
  return true;
}

describe('HttpPool', () => {
  it('sends method, path, headers and body (with a Content-Length), and returns status, text, headers and body', async () => {
    const seen: { method?: string; url?: string; type?: string; length?: string; chunked?: string; body?: string } = {};
    const s = await serve((req, res, body) => {
      Object.assign(seen, {
        method: req.method,
        url: req.url,
        type: req.headers['content-type'],
        length: req.headers['content-length'],
        chunked: req.headers['transfer-encoding'],
        body: body.toString(),
      });
      res.writeHead(201, 'Made It', { 'X-Answer': '42', 'Set-Cookie': ['a=1', 'b=2'] });
      res.end('{"ok":true}');
    });
    const res = await pool().request({ origin: s.origin, path: '/v1/x?y=1', method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"n":1}' });
    expect(seen).toEqual({ method: 'PUT', url: '/v1/x?y=1', type: 'application/json', length: '7', chunked: undefined, body: '{"n":1}' });
    expect(res.statusCode).toBe(201);
    expect(res.statusText).toBe('Made It');
    expect(res.headers['x-answer']).toBe('42');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.body.toString()).toBe('{"ok":true}');
  });

  it('headers as name/value pairs: sent as given, with Host and Content-Length added once, also when a stale connection makes it send again', async () => {
    const heads: string[][] = [];
    const s = await serve((req, res) => {
      if (secondOnItsConnection(req)) return;
      heads.push(req.rawHeaders);
      res.end('ok');
    });
    const p = pool();
    const pairs = ['Micro-Service', 'go.micro.srv.greeter', 'traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'];
    await p.request({ origin: s.origin, path: '/', method: 'POST', headers: [...pairs], body: '{"n":1}' });
    // the second request meets the connection the server drops, and goes again on a fresh one
    await p.request({ origin: s.origin, path: '/', method: 'POST', headers: [...pairs], body: 'é' });
    const authority = s.origin.slice('http://'.length);
    expect(heads).toHaveLength(2);
    expect(heads[0]).toEqual([...pairs, 'Host', authority, 'Content-Length', '7', 'Connection', 'keep-alive']);
    expect(heads[1]).toEqual([...pairs, 'Host', authority, 'Content-Length', '2', 'Connection', 'keep-alive']);
  });

  it('keeps the connection alive: sequential requests share one socket', async () => {
    const s = await serve((_req, res) => res.end('x'));
    const p = pool();
    for (let i = 0; i < 5; i++) expect((await p.request({ origin: s.origin, path: '/', method: 'GET' })).body.toString()).toBe('x');
    expect(s.connections).toHaveLength(1);
  });

  it('closes a pooled connection that sat idle for keepAliveMs', async () => {
    const s = await serve((_req, res) => res.end('x'));
    await pool(150).request({ origin: s.origin, path: '/', method: 'GET' });
    expect(s.connections).toHaveLength(1);
    await until(() => s.closed === 1, 'the idle socket closed by the client');
  });

  it('rejects with the socket error code when nothing listens', async () => {
    const s = await serve((_req, res) => res.end());
    const dead = s.origin;
    await cleanups.splice(0).reduce((p, f) => p.then(() => f()), Promise.resolve() as Promise<unknown>);
    await expect(pool().request({ origin: dead, path: '/', method: 'GET' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('an abort rejects with the signal reason and drops the connection', async () => {
    const s = await serve(() => undefined); // never answers
    const controller = new AbortController();
    const pending = pool().request({ origin: s.origin, path: '/', method: 'GET', signal: controller.signal });
    await until(() => s.connections.length === 1, 'connected');
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await until(() => s.closed === 1, 'the aborted socket closed');
  });

  it('past timeoutMs rejects with deadlineExceeded and drops the connection; an answer in time clears the timer', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/fast') res.end('ok');
    }); // /slow never answers
    const p = pool();
    const fast = await p.request({ origin: s.origin, path: '/fast', method: 'GET', timeoutMs: 200 });
    expect(fast.body.toString()).toBe('ok');
    // its timer went with its answer: 300 ms on, the kept-alive connection is still there and serves
    await new Promise((r) => setTimeout(r, 300));
    expect(s.closed).toBe(0);
    expect((await p.request({ origin: s.origin, path: '/fast', method: 'GET', timeoutMs: 200 })).body.toString()).toBe('ok');
    expect(s.connections).toHaveLength(1);
    const started = performance.now();
    const error = await p.request({ origin: s.origin, path: '/slow', method: 'GET', timeoutMs: 200 }).then(
      () => undefined,
      (e: { deadlineExceeded?: boolean; code?: string; message?: string }) => e,
    );
    expect(error).toMatchObject({ deadlineExceeded: true, code: 'ETIMEDOUT', message: 'no answer within 200 ms' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    await until(() => s.closed === 1, 'the timed-out socket closed');
  });

  it('an already aborted signal sends nothing', async () => {
    const s = await serve((_req, res) => res.end());
    const reason = new Error('too late');
    await expect(pool().request({ origin: s.origin, path: '/', method: 'GET', signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(s.connections).toHaveLength(0);
  });

  it('close() ends requests in flight and refuses new ones', async () => {
    const s = await serve(() => undefined);
    const p = pool();
    const pending = p.request({ origin: s.origin, path: '/', method: 'GET' });
    await until(() => s.connections.length === 1, 'connected');
    await p.close();
    await expect(pending).rejects.toThrow();
    await expect(p.request({ origin: s.origin, path: '/', method: 'GET' })).rejects.toMatchObject({ code: 'ERR_CLIENT_CLOSED' });
  });

  it('a response cut in the middle is an error, not a short body', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('only part');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await expect(pool().request({ origin: s.origin, path: '/', method: 'GET' })).rejects.toThrow();
  });

  it('a pooled connection the server closed is not a failed call: the request goes again on a fresh one', async () => {
    // The server drops the connection when a second request arrives on it, as a server closing an idle
    // connection just as the client reuses it: no answer, a reset.
    const served: string[] = [];
    const s = await serve((req, res) => {
      if (secondOnItsConnection(req)) return;
      served.push(String(req.headers['x-call']));
      res.end(`ok ${String(req.headers['x-call'])}`);
    });
    const p = pool();
    const first = await p.request({ origin: s.origin, path: '/', method: 'POST', headers: { 'x-call': '1' }, body: 'a' });
    expect(first.body.toString()).toBe('ok 1');
    const second = await p.request({ origin: s.origin, path: '/', method: 'POST', headers: { 'x-call': '2' }, body: 'b' });
    expect(second.body.toString()).toBe('ok 2');
    expect(served).toEqual(['1', '2']);
    expect(s.connections).toHaveLength(2);
  });

  it('a stopped server reads as refused, not as a hang-up of the connection it left in the pool', async () => {
    const s = await serve((_req, res) => res.end('ok'));
    const p = pool();
    await p.request({ origin: s.origin, path: '/', method: 'GET' });
    // The server goes away with our idle connection still pooled; its FIN is not read before the next call.
    for (const c of s.connections) c.resetAndDestroy();
    await cleanups.splice(0, 1)[0]!();
    await expect(p.request({ origin: s.origin, path: '/', method: 'GET' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('PoolAgent', () => {
  /** After one request answered with these extra header lines: is the connection pooled, with which idle timeout. */
  async function afterOneAnswer(AgentClass: typeof Agent, lines: string[], agentTimeout: number | undefined): Promise<{ kept: boolean; timeout: number | undefined; headerReads: number }> {
    const server = createNetServer((socket) => {
      socket.once('data', () => socket.write(['HTTP/1.1 200 OK', ...lines, 'Content-Length: 2', '', 'ok'].join('\r\n')));
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const agent = new AgentClass({ keepAlive: true, ...(agentTimeout === undefined ? {} : { timeout: agentTimeout }) });
    cleanups.push(() => {
      agent.destroy();
      return new Promise((r) => server.close(r));
    });
    const port = (server.address() as AddressInfo).port;
    const res = await new Promise<IncomingMessage>((resolve, reject) => httpRequest({ host: '127.0.0.1', port, agent }, resolve).on('error', reject).end());
    // counts who reads the answer's header record from here on (node:http builds it on the first read)
    let headerReads = 0;
    const own = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(res) as object, 'headers')!;
    Object.defineProperty(res, 'headers', {
      get() {
        headerReads++;
        return own.get!.call(res) as unknown;
      },
    });
    res.resume();
    await new Promise((r) => res.on('end', r));
    // the Agent pools (or drops) the connection on the response's end, a tick later
    await new Promise((r) => setImmediate(r));
    const free = Object.values(agent.freeSockets).flat();
    return { kept: free.length === 1, timeout: (free[0] as Socket | undefined)?.timeout, headerReads };
  }

  it("keeps and times out a connection as node's Agent does, for any keep-alive hint, without reading the answer's header record", async () => {
    const cases: [string[], number | undefined][] = [
      [['Keep-Alive: timeout=5'], 4_000],
      [['Keep-Alive: timeout=3'], 4_000],
      [['keep-alive: timeout=30'], 4_000],
      [['Keep-Alive: timeout=1'], 4_000],
      [['Keep-Alive: timeout=0'], undefined],
      [['Keep-Alive: max=5, timeout=2'], 4_000],
      [['Keep-Alive: TIMEOUT=2'], 4_000],
      [['Keep-Alive: timeout=2', 'Keep-Alive: timeout=9'], 4_000],
      [['Keep-Alive: max=5', 'Keep-Alive: timeout=2'], 4_000],
      [['X-Other: 1'], 4_000],
      [[], undefined],
      [['Keep-Alive: timeout=3'], undefined],
    ];
    for (const [lines, agentTimeout] of cases) {
      const ours = await afterOneAnswer(PoolAgent, lines, agentTimeout);
      const node = await afterOneAnswer(Agent, lines, agentTimeout);
      expect({ lines, agentTimeout, kept: ours.kept, timeout: ours.timeout }).toEqual({ lines, agentTimeout, kept: node.kept, timeout: node.timeout });
      expect(ours.headerReads).toBe(0);
      // what PoolAgent spares: node's own reads the record for the hint
      expect(node.headerReads).toBe(1);
    }
    // the cases cover what the rule tells apart: a capped timeout, the agent's own, a connection not kept
    expect((await afterOneAnswer(PoolAgent, ['Keep-Alive: timeout=3'], 4_000)).timeout).toBe(2_000);
    expect((await afterOneAnswer(PoolAgent, ['Keep-Alive: timeout=30'], 4_000)).timeout).toBe(4_000);
    expect((await afterOneAnswer(PoolAgent, ['Keep-Alive: timeout=1'], 4_000)).kept).toBe(false);
  });
});
