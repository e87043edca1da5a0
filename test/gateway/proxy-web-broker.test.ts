/**
 * micro proxy (mucp forwarding + /rpc /registry /broker), micro web (routing, base path, index, WebSocket),
 * the broker (go-micro http broker delivery) and the gateway's event / http / web handlers, all through
 * real servers, real worker threads and the kit's real client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Client } from '../../services/kit/client.ts';
import { MicroError } from '../../services/kit/errors.ts';
import { newService, type Service } from '../../services/kit/service.ts';
import { startBroker, type StartedBroker } from '../../runner/broker/start-broker.ts';
import { publishOnce } from '../../runner/broker/publish-once.ts';
import { startGateway } from '../../runner/gateway/start-gateway.ts';
import type { StartedServer } from '../../runner/gateway/started-server.ts';
import { startProxy } from '../../runner/proxy/start-proxy.ts';
import { startWebGateway } from '../../runner/web-gateway/start-web-gateway.ts';
import { startEchoService, type EchoService } from './fixtures.ts';
import { gatewayConfig, http, startStack, waitFor, waitForNodes, type Stack } from './harness.ts';

let stack: Stack;
let broker: StartedBroker;
let proxy: StartedServer;
let web: StartedServer;
let echoWeb: EchoService;
let echoApi: EchoService;
let subscriber: Service;
const received: { body: unknown; header: Record<string, string> }[] = [];

beforeAll(async () => {
  stack = await startStack();
  const reg = stack.registry.address;
  broker = await startBroker({ host: '127.0.0.1', port: 0 }, { registryAddress: reg });
  stack.startWorker('services/greeter-srv/main.ts');
  stack.startWorker('services/greeter-web/main.ts');
  echoWeb = await startEchoService(reg, 'go.micro.web.echo');
  echoApi = await startEchoService(reg, 'go.micro.api.echo');
  subscriber = newService({
    name: 'test.subscriber',
    env: { MICRO_REGISTRY_ADDRESS: reg, MICRO_SERVER_ADDRESS: '127.0.0.1:0' },
    log: () => undefined,
  });
  subscriber.subscribe('go.micro.api.user', (message, event) => void received.push({ body: message, header: event.header }));
  subscriber.subscribe('test.topic', (message, event) => void received.push({ body: message, header: event.header }));
  await subscriber.start();
  await waitForNodes(reg, 'go.micro.srv.greeter');
  await waitForNodes(reg, 'go.micro.web.greeter');
  await waitForNodes(reg, 'go.micro.http.broker', 2);
  proxy = await startProxy({ host: '127.0.0.1', port: 0 }, { registryAddress: reg, brokerAddress: broker.address });
  web = await startWebGateway({ host: '127.0.0.1', port: 0, namespace: 'go.micro.web' }, { registryAddress: reg });
});

afterAll(async () => {
  await subscriber?.stop();
  await Promise.allSettled([proxy?.stop(), web?.stop(), broker?.stop(), echoWeb?.close(), echoApi?.close()]);
  await stack?.stop();
});

describe('micro proxy', () => {
  it('forwards a mucp call from a client that only knows the proxy (MICRO_PROXY_ADDRESS)', async () => {
    const client = new Client({ proxyAddress: proxy.address });
    try {
      expect(await client.call('go.micro.srv.greeter', 'Say.Hello', { name: 'Proxy' })).toEqual({ msg: 'Hello Proxy' });
      const err = await client.call('go.micro.srv.nope', 'X.Y', {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MicroError);
      expect((err as MicroError).code).toBe(500);
    } finally {
      await client.close();
    }
  });

  it('a blank Micro-Service gives go.micro.proxy 400 in Micro-Error', async () => {
    const r = await http(`${proxy.url}/`, { method: 'POST', headers: { 'micro-endpoint': 'Say.Hello', 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(200);
    expect(r.headers['micro-error']).toBe('{"id":"go.micro.proxy","code":400,"detail":"service name is blank","status":"Bad Request"}');
  });

  it('/rpc, /registry and /broker for curl users', async () => {
    const rpc = await http(`${proxy.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"service":"go.micro.srv.greeter","method":"Say.Hello","request":{"name":"Curl"}}',
    });
    expect(rpc.text).toBe('{"msg":"Hello Curl"}');
    const one = await http(`${proxy.url}/registry?service=go.micro.srv.greeter`);
    expect(JSON.parse(one.text)[0].name).toBe('go.micro.srv.greeter');
    expect((await http(`${proxy.url}/registry?service=nope`)).status).toBe(404);
    const all = JSON.parse((await http(`${proxy.url}/registry`)).text) as { name: string }[];
    expect(all.map((s) => s.name)).toContain('go.micro.srv.greeter');
    expect((await http(`${proxy.url}/broker`, { method: 'POST', body: 'x' })).status).toBe(400);
    const pub = await http(`${proxy.url}/broker?topic=test.topic`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-trace': 't1' }, body: '{"via":"proxy"}' });
    expect(JSON.parse(pub.text)).toEqual({ delivered: 1 });
    await waitFor('proxy publish delivered', async () => received.find((m) => (m.body as { via?: string })?.via === 'proxy'));
  });
});

describe('micro proxy /broker WebSocket subscribe', () => {
  it('subscribes for the socket, receives published bodies, deregisters on close', async () => {
    const ws = new WebSocket(`ws://${proxy.address}/broker?topic=ws.topic`);
    const messages: string[] = [];
    ws.on('message', (m) => messages.push(String(m)));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await waitFor('ws subscriber delivery', async () => (await broker.publish('ws.topic', Buffer.from('{"w":1}'))) === 1);
    await waitFor('ws message', async () => messages.includes('{"w":1}'));
    ws.close();
    await waitFor('ws subscriber gone', async () => (await broker.publish('ws.topic', Buffer.from('x'))) === 0);
  });
});

describe('broker', () => {
  it('POST /publish delivers {"Header","Body"} to subscribers; headers travel; :topic is set', async () => {
    const r = await http(`${broker.url}/publish?topic=test.topic`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-custom': 'c1' }, body: '{"n":1}' });
    expect(JSON.parse(r.text)).toEqual({ delivered: 1 });
    const m = await waitFor('delivery', async () => received.find((x) => (x.body as { n?: number })?.n === 1));
    expect(m.header[':topic']).toBe('test.topic');
    expect(m.header['X-Custom']).toBe('c1');
  });

  it('publish() in-process, publishOnce for the CLI, missing topic 400, nobody subscribed = 0', async () => {
    expect(await broker.publish('test.topic', Buffer.from('{"n":2}'), { 'Content-Type': 'application/json' })).toBe(1);
    expect(await publishOnce(broker.url, 'test.topic', '{"n":3}')).toEqual({ delivered: 1 });
    expect(await publishOnce(broker.address, 'nobody.listens', '{}')).toEqual({ delivered: 0 });
    await expect(publishOnce(broker.url, 't', '{bad')).rejects.toThrow(/not valid JSON/);
    const r = await http(`${broker.url}/publish`, { method: 'POST', body: 'x' });
    expect([r.status, r.text]).toEqual([400, 'Topic not specified']);
  });

  it('the gateway event handler publishes to <namespace>.<segment> with the event envelope', async () => {
    const gw = await startGateway(gatewayConfig({ handler: 'event' }), { registryAddress: stack.registry.address, brokerAddress: broker.address });
    try {
      const r = await http(`${gw.url}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"john"}' });
      expect([r.status, r.text]).toEqual([200, '']);
      const m = await waitFor('event delivery', async () => received.find((x) => (x.body as { name?: string })?.name === 'login'));
      const ev = m.body as { name: string; id: string; timestamp: number; data: string };
      expect(ev.id).toMatch(/^go\.micro\.api\.user-login-[0-9a-f-]{36}$/);
      expect(ev.data).toBe('{"user":"john"}');
      expect(m.header['Micro-Topic']).toBe('go.micro.api.user');
    } finally {
      await gw.stop();
    }
  });
});

describe('micro web (8082)', () => {
  it('/greeter -> go.micro.web.greeter / (the form), POST name -> Hello', async () => {
    const form = await http(`${web.url}/greeter`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<form method=post>');
    const r = await http(`${web.url}/greeter`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Web' });
    expect(r.text).toBe('<html><body><h1>Hello Web</h1></body></html>');
  });

  it('strips the first segment and sets X-Micro-Web-Base-Path', async () => {
    const r = JSON.parse((await http(`${web.url}/echo/a/b?c=1`)).text) as { url: string; headers: Record<string, string> };
    expect(r.url).toBe('/a/b?c=1');
    expect(r.headers['x-micro-web-base-path']).toBe('/echo');
  });

  it('index page lists web services; unknown service 404', async () => {
    const idx = await http(`${web.url}/`);
    expect(idx.text).toContain('href="/greeter/"');
    expect(idx.text).toContain('href="/echo/"');
    expect((await http(`${web.url}/nope/x`)).status).toBe(404);
    expect((await http(`${web.url}/-bad/x`)).status).toBe(404);
  });

  it('pipes WebSocket upgrades', async () => {
    const ws = new WebSocket(`ws://${web.address}/echo/socket`);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => ws.send('hi'));
      ws.once('message', (m) => resolve(String(m)));
      ws.once('error', reject);
    });
    ws.close();
    expect(reply).toBe('echo:hi|/socket|/echo');
  });
});

describe('gateway http and web handlers (reverse proxy)', () => {
  it('http: /echo/x -> go.micro.api.echo with the path unchanged; bad path 404; unknown 500 empty', async () => {
    const gw = await startGateway(gatewayConfig({ handler: 'http' }), { registryAddress: stack.registry.address });
    try {
      const r = await http(`${gw.url}/echo/x?y=1`, { headers: { 'x-forwarded-for': '10.0.0.1' } });
      const body = JSON.parse(r.text) as { url: string; headers: Record<string, string> };
      expect(r.headers['x-echo']).toBe('yes');
      expect(body.url).toBe('/echo/x?y=1');
      expect(body.headers['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
      const bad = await http(`${gw.url}/-x`);
      expect([bad.status, bad.text]).toEqual([404, '404 page not found\n']);
      const none = await http(`${gw.url}/nope`);
      expect([none.status, none.text]).toEqual([500, '']);
    } finally {
      await gw.stop();
    }
  });

  it('path, grpc and host resolvers route to the namespaced service (v1: namespace on every resolver)', async () => {
    const reg = stack.registry.address;
    for (const [resolver, path, host] of [
      ['path', '/echo/a/b', undefined],
      ['vpath', '/v1/echo/a', undefined],
      ['grpc', '/echo.Say/Hello', undefined],
      ['host', '/anything', 'echo'],
    ] as const) {
      const gw = await startGateway(gatewayConfig({ handler: 'http', resolver }), { registryAddress: reg });
      try {
        const r = await http(`${gw.url}${path}`, host ? { headers: { host } } : {});
        expect([resolver, r.status]).toEqual([resolver, 200]);
        expect((JSON.parse(r.text) as { url: string }).url).toBe(path);
      } finally {
        await gw.stop();
      }
    }
  });

  it('/rpc with an explicit address calls that node directly', async () => {
    const gw = await startGateway(gatewayConfig(), { registryAddress: stack.registry.address });
    try {
      const [addr] = await waitForNodes(stack.registry.address, 'go.micro.srv.greeter');
      const r = await http(`${gw.url}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ service: 'go.micro.srv.greeter', endpoint: 'Say.Hello', address: addr, request: { name: 'Addr' } }),
      });
      expect(r.text).toBe('{"msg":"Hello Addr"}');
    } finally {
      await gw.stop();
    }
  });

  it('web: WebSocket upgrade through the api gateway', async () => {
    const gw = await startGateway(gatewayConfig({ handler: 'web' }), { registryAddress: stack.registry.address });
    try {
      const ws = new WebSocket(`ws://${gw.address}/echo/ws`);
      const reply = await new Promise<string>((resolve, reject) => {
        ws.once('open', () => ws.send('yo'));
        ws.once('message', (m) => resolve(String(m)));
        ws.once('error', reject);
      });
      ws.close();
      expect(reply).toBe('echo:yo|/echo/ws|');
    } finally {
      await gw.stop();
    }
  });
});
