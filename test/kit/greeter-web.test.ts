import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { ConsulRegistryClient } from '../../services/kit/registry-client.ts';
import { runWorker, within, type RunningService } from './service-harness.ts';

let registry: StartedRegistry;
let consul: ConsulRegistryClient;
let srv: RunningService;
let web: RunningService;
let webAddress: string;

beforeAll(async () => {
  registry = await startRegistry({ host: '127.0.0.1', port: 0 });
  consul = new ConsulRegistryClient(registry.address);
  const env = { MICRO_REGISTRY_ADDRESS: registry.address, MICRO_REGISTER_TTL: '5s', MICRO_REGISTER_INTERVAL: '1s' };
  srv = runWorker('services/greeter-srv/main.ts', env);
  web = runWorker('services/greeter-web/main.ts', env);
  await srv.waitForLine(/^registered /);
  webAddress = (await web.waitForLine(/^registered go\.micro\.web\.greeter /)).split(' at ')[1]!;
});

afterAll(async () => {
  srv?.kill();
  web?.kill();
  await consul?.close();
  await registry?.stop();
});

const form = (body: string) =>
  request(`http://${webAddress}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

describe('go.micro.web.greeter', () => {
  it('is registered like go-web: plain node, no endpoints, no mucp metadata', async () => {
    const [svc] = (await consul.getService('go.micro.web.greeter')).services;
    expect(svc!.endpoints).toEqual([]);
    expect(svc!.nodes[0]!.metadata).toEqual({});
    expect(svc!.nodes[0]!.address).toBe(webAddress);
  });

  it('GET / serves the form', async () => {
    const res = await request(`http://${webAddress}/`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(await res.body.text()).toContain('<form method=post><input name=name type=text /></form>');
  });

  it('POST / greets through the srv, defaulting to World and escaping the name', async () => {
    expect(await (await form('name=John')).body.text()).toBe('<html><body><h1>Hello John</h1></body></html>');
    expect(await (await form('')).body.text()).toBe('<html><body><h1>Hello World</h1></body></html>');
    expect(await (await form('name=%3Cscript%3E%26%22')).body.text()).toBe(
      '<html><body><h1>Hello &lt;script&gt;&amp;&#34;</h1></body></html>',
    );
  });

  it('answers 500 with the client error once the srv is gone', async () => {
    srv.stop();
    await within('srv exit', srv.exited);
    const res = await form('name=x');
    expect(res.statusCode).toBe(500);
    expect(await res.body.text()).toContain('error selecting go.micro.srv.greeter node');
  });
});
