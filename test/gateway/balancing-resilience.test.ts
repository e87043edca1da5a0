/**
 * Load balancing over passing instances (random, round_robin, least_outstanding), one retry plus passive
 * ejection when an instance crashes, backend timeouts (408), and the meta handler's endpoint metadata.
 * Instances are real kit services in-process (so a test can see which one answered) and real worker
 * threads (so one can be killed without deregistering, like a crash).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newService, type Service } from '../../services/kit/service.ts';
import { startGateway } from '../../runner/gateway/start-gateway.ts';
import type { StartedServer } from '../../runner/gateway/started-server.ts';
import type { GatewayConfig } from '../../runner/config/topology.ts';
import { startEchoService } from './fixtures.ts';
import { gatewayConfig, http, startStack, waitFor, waitForNodes, type Stack } from './harness.ts';

let stack: Stack;
const who: Service[] = [];
let release: () => void = () => undefined;
let gate = new Promise<void>((r) => (release = r));
const started = { slow: 0 };

function whoService(i: number): Service {
  const s = newService({ name: 'go.micro.srv.who', env: { MICRO_REGISTRY_ADDRESS: stack.registry.address }, log: () => undefined });
  s.handle('Who.Am', () => ({ i }));
  s.handle('Who.Held', async () => {
    started.slow++;
    await gate;
    return { i };
  });
  s.handle('Who.Fail', () => {
    throw new Error('boom');
  });
  s.handle('Example.Call', (req: { name?: string }) => ({ message: `got your request ${req?.name ?? ''}` }), {
    endpointMetadata: i === 0 ? { endpoint: 'Example.Call', path: '/example', method: 'POST', handler: 'rpc' } : {},
  });
  return s;
}

const rpcCall = (gw: StartedServer, endpoint: string, timeout?: string) =>
  http(`${gw.url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(timeout ? { timeout } : {}) },
    body: JSON.stringify({ service: 'go.micro.srv.who', endpoint, request: {} }),
  });

async function withGateway<T>(over: Partial<GatewayConfig>, fn: (gw: StartedServer) => Promise<T>): Promise<T> {
  const gw = await startGateway(gatewayConfig(over), { registryAddress: stack.registry.address });
  try {
    return await fn(gw);
  } finally {
    await gw.stop();
  }
}

beforeAll(async () => {
  stack = await startStack();
  for (let i = 0; i < 3; i++) who.push(whoService(i));
  await Promise.all(who.map((s) => s.start()));
  await waitForNodes(stack.registry.address, 'go.micro.srv.who', 3);
});

afterAll(async () => {
  release();
  await Promise.all(who.map((s) => s.stop()));
  await stack?.stop();
});

describe('load balancing', () => {
  it('round_robin spreads calls evenly', async () => {
    const counts = await withGateway({ balance: 'round_robin' }, async (gw) => {
      const c = [0, 0, 0];
      for (let n = 0; n < 30; n++) c[(JSON.parse((await rpcCall(gw, 'Who.Am')).text) as { i: number }).i]!++;
      return c;
    });
    expect(counts).toEqual([10, 10, 10]);
  });

  it('random (micro default) reaches every instance', async () => {
    const seen = await withGateway({ balance: 'random' }, async (gw) => {
      const s = new Set<number>();
      for (let n = 0; n < 60 && s.size < 3; n++) s.add((JSON.parse((await rpcCall(gw, 'Who.Am')).text) as { i: number }).i);
      return s;
    });
    expect(seen.size).toBe(3);
  });

  it('least_outstanding sends concurrent calls to idle instances', async () => {
    const answers = await withGateway({ balance: 'least_outstanding' }, async (gw) => {
      // One at a time: each call is outstanding (held) before the next one is balanced.
      const before = started.slow;
      const calls = [];
      for (let n = 1; n <= 3; n++) {
        calls.push(rpcCall(gw, 'Who.Held'));
        await waitFor(`${n} held call(s)`, async () => started.slow >= before + n);
      }
      release();
      return Promise.all(calls);
    });
    gate = new Promise<void>((r) => (release = r));
    expect(new Set(answers.map((a) => (JSON.parse(a.text) as { i: number }).i)).size).toBe(3);
  });

  it('least_outstanding spreads calls that arrive at the same moment', async () => {
    const answers = await withGateway({ balance: 'least_outstanding' }, async (gw) => {
      const before = started.slow;
      // All three at once: each selection must see the ones made just before it.
      const calls = [1, 2, 3].map(() => rpcCall(gw, 'Who.Held'));
      await waitFor('3 held calls', async () => started.slow >= before + 3);
      release();
      return Promise.all(calls);
    });
    gate = new Promise<void>((r) => (release = r));
    expect(new Set(answers.map((a) => (JSON.parse(a.text) as { i: number }).i)).size).toBe(3);
  });
});

describe('timeouts and errors', () => {
  it('a backend slower than timeoutMs gives 408 go.micro.client call timeout', async () => {
    const r = await withGateway({ timeoutMs: 300, retries: 0 }, (gw) => rpcCall(gw, 'Who.Held'));
    expect(r.status).toBe(408);
    expect(r.text).toBe('{"id":"go.micro.client","code":408,"detail":"call timeout: context deadline exceeded","status":"Request Timeout"}');
  });

  it('/rpc honours the Timeout header (seconds)', async () => {
    const r = await withGateway({ timeoutMs: 60_000, retries: 0 }, (gw) => rpcCall(gw, 'Who.Held', '0.3'));
    expect(r.status).toBe(408);
  });

  it('a plain handler error is 500 with the go-micro error body', async () => {
    const r = await withGateway({}, (gw) => rpcCall(gw, 'Who.Fail'));
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toMatchObject({ code: 500, detail: expect.stringContaining('boom') });
  });
});

describe('meta handler (reference §2.8)', () => {
  it('POST /example matches endpoint metadata -> Example.Call; GET falls back to the resolver', async () => {
    await withGateway({ handler: 'meta', namespace: 'go.micro.srv' }, async (gw) => {
      const r = await http(`${gw.url}/example`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"john"}' });
      expect([r.status, r.text]).toEqual([200, '{"message":"got your request john"}']);
      const g = await http(`${gw.url}/example`);
      expect(g.status).toBe(404);
      expect(JSON.parse(g.text)).toEqual({ id: 'go.micro.srv', code: 404, detail: 'service not found', status: 'Not Found' });
    });
  });
});

describe('a crashed instance costs no failed request', () => {
  it('rpc: worker killed without deregistering -> every call still succeeds (retry + ejection)', async () => {
    const w1 = stack.startWorker('services/greeter-srv/main.ts');
    stack.startWorker('services/greeter-srv/main.ts');
    await waitForNodes(stack.registry.address, 'go.micro.srv.greeter', 2);
    await withGateway({ balance: 'round_robin' }, async (gw) => {
      const call = () =>
        http(`${gw.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"service":"go.micro.srv.greeter","endpoint":"Say.Hello","request":{"name":"x"}}' });
      for (let n = 0; n < 4; n++) expect((await call()).status).toBe(200);
      await w1.terminate();
      const statuses: number[] = [];
      for (let n = 0; n < 20; n++) statuses.push((await call()).status);
      expect(statuses.every((s) => s === 200)).toBe(true);
    });
  });

  it('http: an instance that refuses connections is retried elsewhere and ejected', async () => {
    const a = await startEchoService(stack.registry.address, 'go.micro.api.lb');
    const b = await startEchoService(stack.registry.address, 'go.micro.api.lb');
    await waitForNodes(stack.registry.address, 'go.micro.api.lb', 2);
    try {
      await withGateway({ handler: 'http', balance: 'round_robin' }, async (gw) => {
        for (let n = 0; n < 4; n++) expect((await http(`${gw.url}/lb/x`)).status).toBe(200);
        await a.close(); // closes the port; deregistration happens too but the cache may still list it
        const statuses: number[] = [];
        for (let n = 0; n < 20; n++) statuses.push((await http(`${gw.url}/lb/x`)).status);
        expect(statuses.every((s) => s === 200)).toBe(true);
      });
    } finally {
      await b.close();
    }
  });
});
