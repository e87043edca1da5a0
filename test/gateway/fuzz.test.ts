/**
 * Property-based fuzzing (fast-check, bounded runs): random paths, methods, headers and bodies thrown at
 * the gateway (every handler) and the proxy. Properties: the server never crashes, never hangs (each
 * request answers within a deadline), and always answers a valid status with a well-formed body (JSON
 * bodies parse; go-micro error bodies have id/code/detail/status). Raw garbage on the socket gets a 4xx.
 */
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import type { GatewayHandler } from '../../runner/config/topology.ts';
import { startGateway } from '../../runner/gateway/start-gateway.ts';
import type { StartedServer } from '../../runner/gateway/started-server.ts';
import { startProxy } from '../../runner/proxy/start-proxy.ts';
import { gatewayConfig, startStack, waitForNodes, type Stack } from './harness.ts';

let stack: Stack;
const servers: StartedServer[] = [];
const agent = new Agent({ keepAliveTimeout: 1_000, connections: 8 });

const segment = fc.oneof(
  fc.constantFrom('greeter', 'say', 'hello', 'rpc', 'v1', 'V2', '.', '..', '', 'foo-bar', 'a_b', 'x.y', '%2F', '%00', '-x', 'go.micro.srv.greeter'),
  fc.stringMatching(/^[A-Za-z0-9._~%!$&'()*+,;=:@-]{0,12}$/),
);
const path = fc.array(segment, { maxLength: 6 }).map((s) => '/' + s.join('/'));
const query = fc.option(fc.stringMatching(/^[A-Za-z0-9=&[\]%._-]{0,30}$/), { nil: undefined });
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND');
const headerName = fc.oneof(
  fc.constantFrom('content-type', 'timeout', 'micro-service', 'micro-endpoint', 'x-forwarded-for', 'origin', 'connection', 'accept'),
  fc.stringMatching(/^x-[a-z0-9-]{1,10}$/),
);
const headerValue = fc.oneof(
  fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'application/protobuf', 'application/json-rpc', 'text/plain', '0.05', '-1', 'go.micro.srv.greeter', 'Say.Hello', ''),
  fc.stringMatching(/^[\x20-\x7e]{0,20}$/),
);
const headers = fc.dictionary(headerName, headerValue, { maxKeys: 4 });
const body = fc.oneof(
  fc.constant(undefined),
  fc.json().map((j) => Buffer.from(j)),
  fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a)),
  fc.constantFrom(
    '{"service":"go.micro.srv.greeter","endpoint":"Say.Hello","request":{"name":"f"}}',
    'service=go.micro.srv.greeter&method=Say.Hello&request=%7B%7D',
    '{"method":"Say.Hello","params":[{"name":"x"}],"id":"0"}',
  ).map((s) => Buffer.from(s)),
);

async function hit(base: string, m: string, p: string, q: string | undefined, h: Record<string, string>, b: Buffer | undefined) {
  const sendBody = b !== undefined && m !== 'GET' && m !== 'HEAD';
  const hdrs = { ...h };
  delete hdrs.connection;
  const res = await request(`${base}${p}${q !== undefined ? `?${q}` : ''}`, {
    method: m as 'GET',
    headers: hdrs,
    body: sendBody ? b : null,
    dispatcher: agent,
    signal: AbortSignal.timeout(8_000),
  });
  const text = await res.body.text();
  return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), text, microError: res.headers['micro-error'] };
}

function wellFormed(r: { status: number; contentType: string; text: string; microError: unknown }, m: string): void {
  expect(r.status).toBeGreaterThanOrEqual(200);
  expect(r.status).toBeLessThan(600);
  if (m === 'HEAD' || r.text === '') return;
  if (r.contentType.startsWith('application/json') && r.status >= 400) {
    const e = JSON.parse(r.text) as Record<string, unknown>;
    expect(Object.keys(e)).toEqual(['id', 'code', 'detail', 'status']);
  }
  if (typeof r.microError === 'string') expect(Object.keys(JSON.parse(r.microError) as object)).toEqual(['id', 'code', 'detail', 'status']);
}

beforeAll(async () => {
  stack = await startStack();
  stack.startWorker('services/greeter-srv/main.ts');
  stack.startWorker('services/greeter-api/main.ts');
  await waitForNodes(stack.registry.address, 'go.micro.srv.greeter');
  await waitForNodes(stack.registry.address, 'go.micro.api.greeter');
});

afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.stop()));
  await agent.close();
  await stack?.stop();
});

describe('fuzz', () => {
  const handlers: GatewayHandler[] = ['api', 'rpc', 'meta', 'http', 'web', 'event'];
  it.each(handlers)('gateway with handler %s answers every request well-formed', async (handler) => {
    const gw = await startGateway(gatewayConfig({ handler, timeoutMs: 1_000, bodyLimitBytes: 128 }), { registryAddress: stack.registry.address });
    servers.push(gw);
    await fc.assert(
      fc.asyncProperty(method, path, query, headers, body, async (m, p, q, h, b) => {
        wellFormed(await hit(gw.url, m, p, q, h, b), m);
      }),
      { numRuns: 60, seed: 4242 },
    );
    // still alive and still right after the storm
    const ok = await hit(gw.url, 'GET', '/', undefined, {}, undefined);
    expect(ok.status).toBe(200);
  });

  it('proxy answers every request well-formed', async () => {
    const px = await startProxy({ host: '127.0.0.1', port: 0 }, { registryAddress: stack.registry.address });
    servers.push(px);
    await fc.assert(
      fc.asyncProperty(method, path, query, headers, body, async (m, p, q, h, b) => {
        wellFormed(await hit(px.url, m, p, q, h, b), m);
      }),
      { numRuns: 120, seed: 4243 },
    );
  });

  it('raw garbage on the socket gets a 4xx and a closed connection', async () => {
    const gw = servers[0]!;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), async (bytes) => {
        const reply = await new Promise<string>((resolve, reject) => {
          const s = net.connect(gw.port, '127.0.0.1');
          let got = '';
          const timer = setTimeout(() => {
            s.destroy();
            reject(new Error('connection hung'));
          }, 15_000);
          s.on('data', (d) => (got += String(d)));
          s.on('close', () => {
            clearTimeout(timer);
            resolve(got);
          });
          s.on('error', () => undefined);
          s.end(Buffer.concat([Buffer.from(bytes), Buffer.from('\r\n\r\n')]));
        });
        if (reply !== '') expect(reply).toMatch(/^HTTP\/1\.1 [1-5]\d\d /);
      }),
      { numRuns: 40, seed: 4244 },
    );
  });
});
