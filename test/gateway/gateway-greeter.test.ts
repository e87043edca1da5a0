/**
 * The default topology through the gateway: registry + greeter srv/api as worker threads + startGateway.
 * Pins reference §4 (greeter), §3.4 (/rpc), §7 (errors) byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../runner/gateway/start-gateway.ts';
import type { StartedServer } from '../../runner/gateway/started-server.ts';
import { gatewayConfig, http, startStack, waitForNodes, type Stack } from './harness.ts';

let stack: Stack;
let gw: StartedServer;
let rpcGw: StartedServer;
let microGw: StartedServer;
const seen: { path: string; status: number; service?: string }[] = [];

beforeAll(async () => {
  stack = await startStack();
  stack.startWorker('services/greeter-srv/main.ts');
  stack.startWorker('services/greeter-api/main.ts');
  await waitForNodes(stack.registry.address, 'go.micro.srv.greeter');
  await waitForNodes(stack.registry.address, 'go.micro.api.greeter');
  gw = await startGateway(gatewayConfig(), { registryAddress: stack.registry.address, onRequest: (r) => seen.push(r) });
  rpcGw = await startGateway(gatewayConfig({ handler: 'rpc', enableRpc: false, timeoutMs: 1_000 }), { registryAddress: stack.registry.address });
  microGw = await startGateway(gatewayConfig({ unknownServiceStatus: 500 }), { registryAddress: stack.registry.address });
});

afterAll(async () => {
  await gw?.stop();
  await rpcGw?.stop();
  await microGw?.stop();
  await stack?.stop();
});

describe('api handler (default topology)', () => {
  it('GET /greeter/say/hello?name=John -> 200 {"message":"Hello John"}', async () => {
    const r = await http(`${gw.url}/greeter/say/hello?name=John`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('{"message":"Hello John"}');
    expect(r.headers['content-type']).toBe('application/json');
    expect(seen.some((s) => s.path === '/greeter/say/hello' && s.status === 200 && s.service === 'go.micro.api.greeter')).toBe(true);
  });

  it('a name outside ASCII crosses every hop whole (each body sent as UTF-8 text, with its byte length)', async () => {
    const name = 'Jöhn ☃ 𝄞';
    const r = await http(`${gw.url}/greeter/say/hello?name=${encodeURIComponent(name)}`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ message: `Hello ${name}` });
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.text));
    const rpc = await http(`${gw.url}/rpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ service: 'go.micro.srv.greeter', endpoint: 'Say.Hello', request: { name } }) });
    expect(JSON.parse(rpc.text)).toEqual({ msg: `Hello ${name}` });
  });

  it('no name -> 400 Name cannot be blank', async () => {
    const r = await http(`${gw.url}/greeter/say/hello`);
    expect(r.status).toBe(400);
    expect(r.text).toBe('{"id":"go.micro.api.greeter","code":400,"detail":"Name cannot be blank","status":"Bad Request"}');
  });

  it('unknown service -> 404 go.micro.api service not found (micro: 500, with unknown_service_status: 500)', async () => {
    const r = await http(`${gw.url}/nope/say/hello`);
    expect(r.status).toBe(404);
    expect(r.text).toBe('{"id":"go.micro.api","code":404,"detail":"service not found","status":"Not Found"}');
    const micro = await http(`${microGw.url}/nope/say/hello`);
    expect(micro.status).toBe(500);
    expect(micro.text).toBe('{"id":"go.micro.api","code":500,"detail":"service not found","status":"Internal Server Error"}');
  });

  it('a handler that returns a plain object instead of an api.Response -> 500 naming the handler and what it returned', async () => {
    stack.startWorker('test/gateway/plain-object-api.ts');
    await waitForNodes(stack.registry.address, 'go.micro.api.plain');
    const r = await http(`${gw.url}/plain/say/hello?name=John`);
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toEqual({
      id: 'go.micro.api',
      code: 500,
      detail:
        'api handler go.micro.api.plain Say.Hello returned {"message":"Hello John"}: unknown field "message" (an api.Response is {statusCode, header, body} with body a string)',
      status: 'Internal Server Error',
    });
    const bodyObject = await http(`${gw.url}/plain/say/object`);
    expect(bodyObject.status).toBe(500);
    expect(JSON.parse(bodyObject.text).detail).toBe(
      'api handler go.micro.api.plain Say.Object returned {"statusCode":200,"body":{"message":"hi"}}: body is object, not a string (JSON.stringify it)',
    );
    // An all-default api.Response (proto3 JSON omits zero values) is still an empty 200, as in micro.
    const empty = await http(`${gw.url}/plain/say/empty`);
    expect([empty.status, empty.text]).toEqual([200, '']);
  });

  it('unknown endpoint on a live service -> 500 with the code-0 error body (reference §7)', async () => {
    const r = await http(`${gw.url}/greeter/nope/x`);
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toMatchObject({ id: '', code: 0, status: '' });
    expect(JSON.parse(r.text).detail).toMatch(/can't find/);
  });

  it('/ answers the version; /favicon.ico is empty; unclean paths 301', async () => {
    expect((await http(`${gw.url}/`)).text).toBe('{"version": "1.18.0"}');
    const fav = await http(`${gw.url}/favicon.ico`);
    expect([fav.status, fav.text]).toEqual([200, '']);
    const r = await http(`${gw.url}/greeter//say/./hello?name=x`);
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe('/greeter/say/hello?name=x');
  });

  it('CORS headers (micro v2) and OPTIONS 200', async () => {
    const r = await http(`${gw.url}/greeter/say/hello?name=a`, { headers: { origin: 'http://app.local' } });
    expect(r.headers['access-control-allow-origin']).toBe('http://app.local');
    expect(r.headers['access-control-allow-credentials']).toBe('true');
    const o = await http(`${gw.url}/anything`, { method: 'OPTIONS' });
    expect([o.status, o.text, o.headers['access-control-allow-origin']]).toEqual([200, '', '*']);
  });
});

describe('/rpc', () => {
  it('JSON body -> exactly {"msg":"Hello John"}', async () => {
    const r = await http(`${gw.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"service":"go.micro.srv.greeter","endpoint":"Say.Hello","request":{"name":"John"}}',
    });
    expect([r.status, r.text]).toEqual([200, '{"msg":"Hello John"}']);
  });

  it('form body with method= and request string (the docs curl)', async () => {
    const body = new URLSearchParams({ service: 'go.micro.srv.greeter', method: 'Say.Hello', request: '{"name": "John"}' }).toString();
    const r = await http(`${gw.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect([r.status, r.text]).toEqual([200, '{"msg":"Hello John"}']);
  });

  it('validation and method errors', async () => {
    const bad = await http(`${gw.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"endpoint":"Say.Hello"}' });
    expect([bad.status, bad.text]).toEqual([400, '{"id":"go.micro.rpc","code":400,"detail":"invalid service","status":"Bad Request"}']);
    const noEp = await http(`${gw.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"service":"x"}' });
    expect(JSON.parse(noEp.text).detail).toBe('invalid endpoint');
    const get = await http(`${gw.url}/rpc`);
    expect([get.status, get.text]).toEqual([405, 'Method not allowed\n']);
  });

  it('is off when enableRpc is false (handled as a route instead)', async () => {
    const r = await http(`${rpcGw.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text).detail).toBe('service not found');
  });
});

describe('rpc handler', () => {
  it('POST JSON to /greeter/greeter/hello -> go.micro.api.greeter Greeter.Hello', async () => {
    const r = await http(`${rpcGw.url}/greeter/greeter/hello`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "Asim"}' });
    expect([r.status, r.text]).toEqual([200, '{"msg":"Hello Asim"}']);
  });

  it('GET query becomes JSON (qson)', async () => {
    const r = await http(`${rpcGw.url}/greeter/greeter/hello?name=Qson`);
    expect([r.status, r.text]).toEqual([200, '{"msg":"Hello Qson"}']);
  });

  it('PUT -> 405 (v1, --handler=rpc); unknown method -> 500 error during request', async () => {
    const put = await http(`${rpcGw.url}/greeter/greeter/hello`, { method: 'PUT' });
    expect([put.status, put.text]).toEqual([405, 'Method not allowed\n']);
    const r = await http(`${rpcGw.url}/greeter/nope/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toMatchObject({ id: 'go.micro.api', code: 500, status: 'Internal Server Error' });
    expect(JSON.parse(r.text).detail).toMatch(/^error during request: /);
  });
});
