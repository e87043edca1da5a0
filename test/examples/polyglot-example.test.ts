/**
 * examples/polyglot, started for real: a Go service and a Python service (standard library only, real
 * `go build` and `python3` processes) beside the greeter and a TypeScript service that calls them. Every
 * path a call can take: the gateway's api handler and /rpc, the proxy (go-micro's HTTP transport), and a
 * TypeScript service's client; then SIGTERM deregisters at once, and each comes back on start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import { eventually } from '../support/cli-process.ts';
import { copyPolyglotExample, type PolyglotCopy } from './polyglot-copy.ts';

let copy: PolyglotCopy;
let orchestrator: Orchestrator;
const lines: string[] = [];

beforeAll(async () => {
  copy = await copyPolyglotExample();
  const topology = await loadTopology(copy.file);
  orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology), onProgress: (l) => lines.push(l) });
  await orchestrator.start();
}, 180_000);
afterAll(async () => {
  await orchestrator?.shutdown();
});

const gateway = () => orchestrator.snapshot().urls.gateway;
const proxy = () => orchestrator.snapshot().urls.proxy;
const registry = () => orchestrator.snapshot().urls.registry;

async function rpc(service: string, endpoint: string, request: unknown): Promise<{ status: number; body: string }> {
  const res = await fetch(`${gateway()}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service, endpoint, request }),
  });
  return { status: res.status, body: await res.text() };
}

/** go-micro's HTTP transport through `micro proxy`: POST / with Micro-Service and Micro-Endpoint. */
async function throughProxy(service: string, endpoint: string, request: unknown): Promise<{ body: string; error: string | null }> {
  const res = await fetch(`${proxy()}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'micro-service': service, 'micro-endpoint': endpoint, 'micro-method': endpoint },
    body: JSON.stringify(request),
  });
  expect(res.status).toBe(200);
  return { body: (await res.text()).trim(), error: res.headers.get('micro-error') };
}

async function registeredIds(): Promise<string[]> {
  const res = await fetch(`${registry()}/v1/agent/services`);
  return Object.keys((await res.json()) as Record<string, unknown>);
}

describe.each([
  ['hello-go', 'Go'],
  ['hello-py', 'Python'],
])('examples/polyglot: %s (%s, standard library only)', (name) => {
  const service = `go.micro.api.${name}`;

  it('answers the gateway api handler (GET /NAME/say/hello), with a 400 for a blank name', async () => {
    const ok = await fetch(`${gateway()}/${name}/say/hello?name=John`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/application\/json/);
    expect(await ok.text()).toBe(`{"message":"Hello John from ${name}"}`);
    const blank = await fetch(`${gateway()}/${name}/say/hello`);
    expect(blank.status).toBe(400);
    expect(await blank.json()).toMatchObject({ id: service, code: 400, detail: 'Name cannot be blank' });
  });

  it('answers /rpc, and names an unknown endpoint', async () => {
    const ok = await rpc(service, 'Greeter.Hello', { name: 'Rpc' });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ msg: `Hello Rpc from ${name}` });
    const unknown = await rpc(service, 'Greeter.Nope', {});
    expect(unknown.status).toBe(500);
    expect(unknown.body).toContain("rpc: can't find method Greeter.Nope");
  });

  it('answers through the proxy (go-micro HTTP transport, Micro-Error on failure)', async () => {
    expect(await throughProxy(service, 'Greeter.Hello', { name: 'Proxy' })).toEqual({ body: `{"msg":"Hello Proxy from ${name}"}`, error: null });
    const failed = await throughProxy(service, 'Say.Hello', { get: {} });
    expect(failed.body).toBe('');
    expect(JSON.parse(failed.error!)).toMatchObject({ id: service, code: 400, detail: 'Name cannot be blank' });
  });

  it('registers under <name>-<MICRO_SERVER_ID> with a passing TTL check, and deregisters on SIGTERM (not by expiry)', async () => {
    const view = orchestrator.snapshot().instances.find((i) => i.instance === `${name}-1`)!;
    expect(view.state).toBe('ready');
    expect(view.registryId).toMatch(new RegExp(`^${service}-[0-9a-f-]{36}$`));
    const checks = (await (await fetch(`${registry()}/v1/agent/checks`)).json()) as Record<string, { Status: string }>;
    expect(checks[`service:${view.registryId}`]?.Status).toBe('passing');

    const stopped = await orchestrator.command({ type: 'stop', instance: `${name}-1` });
    expect(stopped.ok, stopped.message).toBe(true);
    // Stop resolves once the process exited; a process that did not deregister would still be listed
    // (critical after its 10 s TTL, removed only 65 s later).
    expect(await registeredIds()).not.toContain(view.registryId);
    expect(orchestrator.logs(`${name}-1`, 50).map((l) => l.line)).toContain(`stopped ${view.registryId}`);

    await orchestrator.command({ type: 'start', instance: `${name}-1` });
    await eventually(async () => orchestrator.snapshot().instances.find((i) => i.instance === `${name}-1`)?.state === 'ready', 60_000, `${name}-1 ready again`);
    expect(JSON.parse((await rpc(service, 'Greeter.Hello', { name: 'Back' })).body)).toEqual({ msg: `Hello Back from ${name}` });
  });
});

describe('examples/polyglot: a TypeScript service calls the greeter, Go and Python', () => {
  it('through its kit client (the proxy), behind the api handler and /rpc', async () => {
    const expected = { greeter: 'Hello Ts', go: 'Hello Ts from hello-go', python: 'Hello Ts from hello-py' };
    const api = await fetch(`${gateway()}/polyglot/say/hello?name=Ts`);
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual(expected);
    const viaRpc = await rpc('go.micro.api.polyglot', 'Polyglot.All', { name: 'Ts' });
    expect(JSON.parse(viaRpc.body)).toEqual(expected);
  });
});
