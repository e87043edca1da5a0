import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../runner/clock/clock.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { Wait } from '../../runner/runtimes/wait/wait.ts';
import { agentCatalogOf } from '../../runner/engine/agent-catalog.ts';
import { waitFor } from '../../runner/runtimes/wait/wait-for.ts';
import type { WaitTarget } from '../../runner/runtimes/wait/wait-strategy.ts';
import { findFreePort } from '../../runner/net/find-free-port.ts';
import { ScriptedInstance } from './fixtures/scripted-instance.ts';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const noAbort = () => ({ signal: new AbortController().signal });

function target(instance: ScriptedInstance, extra: Partial<WaitTarget> = {}): WaitTarget {
  return { instance, serverId: 'abc-123', registryAddress: '127.0.0.1:1', host: '127.0.0.1', ...extra };
}

async function listenHttp(handler: Parameters<typeof createHttpServer>[1]): Promise<number> {
  const server: HttpServer = createHttpServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  return (server.address() as { port: number }).port;
}

describe('Wait.forLogMessage', () => {
  it('resolves on the n-th matching line, from events (no polling), and unsubscribes', async () => {
    const instance = new ScriptedInstance();
    const waiting = Wait.forLogMessage(/listening on \d+/g, 2).wait(target(instance), noAbort());
    instance.log('listening on 1');
    instance.log('something else');
    instance.log('listening on 2', 'stderr');
    await expect(waiting).resolves.toEqual({});
    expect(instance.listenerCount).toBe(0);
  });

  it('names the instance, the pattern and the limit on the deadline (manual clock)', async () => {
    const clock = new ManualClock();
    const instance = new ScriptedInstance();
    const waiting = Wait.forLogMessage('ready', 3).withDeadline(3000).withClock(clock).wait(target(instance), noAbort());
    instance.log('ready');
    clock.advance(3000);
    await expect(waiting).rejects.toMatchObject({
      code: 'NOT_READY',
      message: 'greeter-srv-1 did not log "ready" 3 times (seen 1) after 3000ms',
    });
    expect(clock.pending).toBe(0);
  });
});

describe('exits and aborts while waiting', () => {
  it('fails fast when the instance exits, quoting its telling last line', async () => {
    const instance = new ScriptedInstance();
    const waiting = Wait.forRegistered().wait(target(instance), noAbort());
    instance.exit(1, ['file:///x.ts:3', 'Error: database unreachable', '    at main (file:///x.ts:3:7)', '', 'Node.js v24.21.0']);
    await expect(waiting).rejects.toMatchObject({
      code: 'NOT_READY',
      message: 'greeter-srv-1 exited with code 1 before it was ready: Error: database unreachable',
    });
  });

  it('falls back to the last line it saw, and names a signal', async () => {
    const instance = new ScriptedInstance();
    const waiting = Wait.forLogMessage('never').wait(target(instance), noAbort());
    instance.log('connecting to db');
    instance.kill();
    await expect(waiting).rejects.toThrow('greeter-srv-1 was killed by SIGKILL before it was ready: connecting to db');
  });

  it('rejects with the caller reason on abort', async () => {
    const controller = new AbortController();
    const waiting = Wait.forTcp(1).wait(target(new ScriptedInstance()), { signal: controller.signal });
    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
  });
});

describe('Wait.forHttp', () => {
  it('polls until the status matches', async () => {
    let calls = 0;
    const port = await listenHttp((req, res) => {
      res.statusCode = req.url === '/health' && ++calls >= 3 ? 200 : 503;
      res.end();
    });
    await expect(Wait.forHttp('/health', port).forStatusCode(200).withDeadline(10_000).wait(target(new ScriptedInstance()), noAbort())).resolves.toEqual({});
    expect(calls).toBe(3);
  });

  it('uses the target port and reports the URL, the limit and the last status', async () => {
    const port = await listenHttp((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const strategy = Wait.forHttp('health').withDeadline(300);
    await expect(strategy.wait(target(new ScriptedInstance(), { port }), noAbort())).rejects.toMatchObject({
      code: 'NOT_READY',
      message: `URL http://127.0.0.1:${port}/health not accessible after 300ms (last status 503)`,
    });
  });
});

describe('Wait.forTcp', () => {
  it('resolves once the port accepts, with the address', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as { port: number }).port;
    await expect(Wait.forTcp(port).wait(target(new ScriptedInstance()), noAbort())).resolves.toEqual({ address: `127.0.0.1:${port}` });
  });

  it('names the port and the instance when nothing listens', async () => {
    const port = await findFreePort();
    await expect(Wait.forTcp().withDeadline(200).wait(target(new ScriptedInstance(), { port }), noAbort())).rejects.toThrow(
      `port 127.0.0.1:${port} of greeter-srv-1 not listening after 200ms`,
    );
  });
});

describe('Wait.forRegistered against the embedded registry', () => {
  async function registry(): Promise<StartedRegistry> {
    const started = await startRegistry({ host: '127.0.0.1', port: 0 });
    closers.push(() => started.stop());
    return started;
  }

  async function put(url: string, body?: unknown): Promise<void> {
    const res = await fetch(url, { method: 'PUT', body: body === undefined ? undefined : JSON.stringify(body) });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }

  it('waits for registration and a passing check, and returns address and id', async () => {
    const reg = await registry();
    const t = target(new ScriptedInstance(), { registryAddress: reg.address });
    const waiting = Wait.forRegistered().withDeadline(10_000).wait(t, noAbort());
    const id = 'go.micro.srv.greeter-abc-123';
    await put(`${reg.url}/v1/agent/service/register`, {
      ID: id, Name: 'go.micro.srv.greeter', Address: '127.0.0.1', Port: 4242, Check: { CheckID: `service:${id}`, TTL: '30s' },
    });
    await put(`${reg.url}/v1/agent/check/pass/service:${id}`);
    await expect(waiting).resolves.toEqual({ address: '127.0.0.1:4242', registryId: id });
  });

  it('says what it saw when the deadline passes: registered but critical', async () => {
    const reg = await registry();
    const id = 'go.micro.srv.greeter-abc-123';
    await put(`${reg.url}/v1/agent/service/register`, {
      ID: id, Name: 'go.micro.srv.greeter', Address: '127.0.0.1', Port: 4242, Check: { CheckID: `service:${id}`, TTL: '30s' },
    });
    const strategy = waitFor({ kind: 'registered', timeoutMs: 300 });
    await expect(strategy.wait(target(new ScriptedInstance(), { registryAddress: reg.address }), noAbort())).rejects.toThrow(
      `greeter-srv-1 not registered and passing after 300 ms (registered as ${id}, check service:${id} is critical)`,
    );
  });

  it('names an entry registered at the instance address under its own id, and the id rule it broke', async () => {
    const reg = await registry();
    await put(`${reg.url}/v1/agent/service/register`, {
      ID: 'orders-1', Name: 'go.micro.srv.orders', Address: '127.0.0.1', Port: 4343, Check: { TTL: '30s' },
    });
    await put(`${reg.url}/v1/agent/check/pass/service:orders-1`);
    const strategy = waitFor({ kind: 'registered', timeoutMs: 300 });
    const t = target(new ScriptedInstance(), { registryAddress: reg.address, advertise: '127.0.0.1:4343' });
    await expect(strategy.wait(t, noAbort())).rejects.toThrow(
      `greeter-srv-1 not registered and passing after 300 ms (no service with id *-abc-123 in the registry at ${reg.address}; ` +
        'its address 127.0.0.1:4343 is registered as "orders-1": the id must be <service name>-<MICRO_SERVER_ID> (docs/writing-a-service.md))',
    );
  });

  it('reads the same answers in process with a catalog reader (no HTTP: the address given is dead)', async () => {
    const reg = await registry();
    const catalog = agentCatalogOf(reg);
    const dead = '127.0.0.1:1';
    const id = 'go.micro.srv.greeter-abc-123';
    const waiting = waitFor({ kind: 'registered', timeoutMs: 10_000 }, { registryCatalog: catalog }).wait(target(new ScriptedInstance(), { registryAddress: dead }), noAbort());
    await put(`${reg.url}/v1/agent/service/register`, {
      ID: id, Name: 'go.micro.srv.greeter', Address: '127.0.0.1', Port: 4242, Check: { CheckID: `service:${id}`, TTL: '30s' },
    });
    await put(`${reg.url}/v1/agent/check/pass/service:${id}`);
    await expect(waiting).resolves.toEqual({ address: '127.0.0.1:4242', registryId: id });
    await put(`${reg.url}/v1/agent/check/fail/service:${id}`);
    // A reader of its own: waiters of one reader share what it read for 100 ms.
    await expect(waitFor({ kind: 'registered', timeoutMs: 300 }, { registryCatalog: agentCatalogOf(reg) }).wait(target(new ScriptedInstance(), { registryAddress: dead }), noAbort())).rejects.toThrow(
      `greeter-srv-1 not registered and passing after 300 ms (registered as ${id}, check service:${id} is critical)`,
    );
    const other = waitFor({ kind: 'registered', timeoutMs: 300 }, { registryCatalog: agentCatalogOf(reg) });
    await expect(other.wait(target(new ScriptedInstance(), { registryAddress: dead, serverId: 'zzz', advertise: '127.0.0.1:4242' }), noAbort())).rejects.toThrow(
      `greeter-srv-1 not registered and passing after 300 ms (no service with id *-zzz in the registry at ${dead}; its address 127.0.0.1:4242 is registered as "${id}"`,
    );
  });

  it('sends the ACL token to a registry that wants one', async () => {
    const reg = await startRegistry({ host: '127.0.0.1', port: 0, token: 's3cret' });
    closers.push(() => reg.stop());
    const id = 'go.micro.srv.greeter-abc-123';
    const res = await fetch(`${reg.url}/v1/agent/service/register`, {
      method: 'PUT',
      headers: { 'x-consul-token': 's3cret' },
      body: JSON.stringify({ ID: id, Name: 'go.micro.srv.greeter', Address: '127.0.0.1', Port: 1 }),
    });
    expect(res.status).toBe(200);
    const t = target(new ScriptedInstance(), { registryAddress: reg.address });
    await expect(waitFor({ kind: 'registered', timeoutMs: 5000 }, { registryToken: 's3cret' }).wait(t, noAbort())).resolves.toEqual({
      address: '127.0.0.1:1',
      registryId: id,
    });
    await expect(waitFor({ kind: 'registered', timeoutMs: 200 }).wait(t, noAbort())).rejects.toThrow(/not answering: HTTP 403/);
  });

  it('reports an unreachable registry', async () => {
    const port = await findFreePort();
    await expect(
      Wait.forRegistered().withDeadline(200).wait(target(new ScriptedInstance(), { registryAddress: `127.0.0.1:${port}` }), noAbort()),
    ).rejects.toThrow(`greeter-srv-1 not registered and passing after 200 ms (registry at 127.0.0.1:${port} not answering: ECONNREFUSED)`);
  });
});

describe('Wait.forAll and waitFor', () => {
  it('runs children in parallel and merges their results', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as { port: number }).port;
    const instance = new ScriptedInstance();
    const waiting = Wait.forAll([Wait.forLogMessage('up'), Wait.forTcp(port)]).withDeadline(10_000).wait(target(instance), noAbort());
    instance.log('up');
    await expect(waiting).resolves.toEqual({ address: `127.0.0.1:${port}` });
  });

  it('fails with the first child failure and stops the others', async () => {
    const instance = new ScriptedInstance();
    const port = await findFreePort();
    const waiting = Wait.forAll([Wait.forLogMessage('up'), Wait.forTcp(port).withDeadline(150)]).wait(target(instance), noAbort());
    await expect(waiting).rejects.toThrow(/not listening after 150ms/);
    expect(instance.listenerCount).toBe(0);
  });

  it('maps every readiness kind', () => {
    expect(waitFor({ kind: 'registered', timeoutMs: 1 }).describe()).toBe('registered and passing in the registry (deadline 1ms)');
    expect(waitFor({ kind: 'http', path: '/health', port: 9, status: 204, timeoutMs: 2 }).describe()).toBe('HTTP GET /health on port 9 -> 204 (deadline 2ms)');
    expect(waitFor({ kind: 'tcp', timeoutMs: 3 }).describe()).toBe('TCP connect (deadline 3ms)');
    expect(waitFor({ kind: 'log', pattern: 'listening on \\d+', timeoutMs: 4 }).describe()).toBe('log line /listening on \\d+/ (deadline 4ms)');
    expect(waitFor({ kind: 'log', pattern: 'broken [', timeoutMs: 5 }).describe()).toBe('log line "broken [" (deadline 5ms)');
  });
});
