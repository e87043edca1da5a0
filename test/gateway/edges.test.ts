/**
 * Gateway edges: body limit (413 JSON), hosts allowlist (403, and TLS only for listed names), TLS from
 * files and `tls: auto` (openssl-made local CA), ACME refused clearly, slow clients cut off by the header
 * timeout, and PORT_IN_USE when the port is taken.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { startGateway } from '../../runner/gateway/start-gateway.ts';
import { MicroDevError } from '../../runner/errors/micro-dev-error.ts';
import { loadTlsCredentials } from '../../runner/gateway/tls-credentials.ts';
import { gatewayConfig, http, startStack, waitFor, waitForNodes, type Stack } from './harness.ts';

let stack: Stack;
const stateDir = mkdtempSync(join(tmpdir(), 'micro-dev-gw-'));

beforeAll(async () => {
  stack = await startStack();
  stack.startWorker('services/greeter-srv/main.ts');
  stack.startWorker('services/greeter-api/main.ts');
  await waitForNodes(stack.registry.address, 'go.micro.api.greeter');
  await waitForNodes(stack.registry.address, 'go.micro.srv.greeter');
});

afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('limits', () => {
  it('a body over bodyLimitBytes gets 413 with a JSON error naming the limit', async () => {
    const gw = await startGateway(gatewayConfig({ bodyLimitBytes: 1024 }), { registryAddress: stack.registry.address });
    try {
      const r = await http(`${gw.url}/greeter/say/hello`, { method: 'POST', body: Buffer.alloc(4096, 97) });
      expect(r.status).toBe(413);
      expect(JSON.parse(r.text)).toEqual({ id: 'go.micro.api', code: 413, detail: 'request body too large: limit is 1024 bytes', status: 'Request Entity Too Large' });
      const ok = await http(`${gw.url}/greeter/say/hello?name=Small`, { method: 'POST', body: 'x' });
      expect(ok.status).toBe(200);
    } finally {
      await gw.stop();
    }
  });

  it('a client that never finishes its headers is disconnected (408) by the header timeout', async () => {
    const gw = await startGateway(gatewayConfig(), { registryAddress: stack.registry.address, serverTimeouts: { headersTimeoutMs: 200, requestTimeoutMs: 400 } });
    try {
      const sock = net.connect(gw.port, '127.0.0.1');
      let got = '';
      sock.on('data', (d) => (got += String(d)));
      const closed = new Promise<void>((r) => sock.on('close', () => r()));
      sock.write('GET /greeter/say/hello HTTP/1.1\r\nHost: x\r\n');
      await waitFor('server to drop the slow client', async () => sock.destroyed || sock.readableEnded || got !== '', 10_000);
      sock.destroy();
      await closed;
      expect(got).toMatch(/^HTTP\/1.1 408 /);
    } finally {
      await gw.stop();
    }
  });

  it('a taken port rejects with PORT_IN_USE naming the port and the part', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const err = await startGateway(gatewayConfig({ port }), { registryAddress: stack.registry.address }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MicroDevError);
      expect((err as MicroDevError).code).toBe('PORT_IN_USE');
      expect((err as MicroDevError).message).toBe(`port ${port} (gateway) is already in use`);
    } finally {
      blocker.close();
    }
  });
});

describe('hosts allowlist and TLS', () => {
  it('other Host names get 403', async () => {
    const gw = await startGateway(gatewayConfig({ hosts: ['localhost'] }), { registryAddress: stack.registry.address });
    try {
      const denied = await http(`${gw.url}/greeter/say/hello?name=a`);
      expect(denied.status).toBe(403);
      expect(JSON.parse(denied.text)).toMatchObject({ code: 403, status: 'Forbidden' });
      const ok = await http(`${gw.url}/greeter/say/hello?name=a`, { headers: { host: `localhost:${gw.port}` } });
      expect([ok.status, ok.text]).toEqual([200, '{"message":"Hello a"}']);
    } finally {
      await gw.stop();
    }
  });

  it('tls: auto makes a local CA + localhost certificate; only allowed server names get a certificate', async () => {
    const gw = await startGateway(gatewayConfig({ tls: { auto: true }, hosts: ['localhost'] }), { registryAddress: stack.registry.address, stateDir });
    try {
      expect(gw.url).toMatch(/^https:\/\//);
      const ca = readFileSync(join(stateDir, 'tls', 'ca.crt'));
      const agent = new Agent({ connect: { ca, servername: 'localhost' } });
      const res = await request(`https://localhost:${gw.port}/greeter/say/hello?name=Tls`, { dispatcher: agent });
      expect([res.statusCode, await res.body.text()]).toEqual([200, '{"message":"Hello Tls"}']);
      await agent.close();
      const refused = await new Promise<string>((resolve) => {
        const s = tls.connect({ host: '127.0.0.1', port: gw.port, servername: 'evil.example', ca }, () => resolve('connected'));
        s.on('error', (e) => resolve(e.message));
      });
      expect(refused).not.toBe('connected');
    } finally {
      await gw.stop();
    }
  });

  it('tls: auto without openssl fails with a clear START_FAILED error', async () => {
    const err = await loadTlsCredentials({ auto: true }, { stateDir: join(stateDir, 'no-openssl'), openssl: 'openssl-that-does-not-exist' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MicroDevError);
    expect((err as MicroDevError).code).toBe('START_FAILED');
    expect((err as MicroDevError).message).toMatch(/needs the openssl command, which was not found on PATH/);
  });

  it('cert/key files are used; a missing key or an ACME setting is a clear config error', async () => {
    const cert = join(stateDir, 'tls', 'localhost.crt');
    const key = join(stateDir, 'tls', 'localhost.key');
    const gw = await startGateway(gatewayConfig({ tls: { cert, key } }), { registryAddress: stack.registry.address });
    await gw.stop();
    await expect(startGateway(gatewayConfig({ tls: { cert } }), { registryAddress: stack.registry.address })).rejects.toThrow(
      /TLS certificate and key files not specified/,
    );
    await expect(startGateway(gatewayConfig({ tls: { cert, key: '/nonexistent/key.pem' } }), { registryAddress: stack.registry.address })).rejects.toThrow(
      /key file \/nonexistent\/key.pem cannot be read/,
    );
    const acme = { acme: { hosts: ['example.com'] } } as unknown as { auto: boolean };
    await expect(startGateway(gatewayConfig({ tls: acme }), { registryAddress: stack.registry.address })).rejects.toThrow(/no ACME directory is reachable/);
  });
});
