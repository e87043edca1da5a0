import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpPool } from './http-pool.ts';
import { createKitRegistry } from './kit-registry.ts';
import { dialUnixSockets, parseSocketMap, unixSocketPath } from './unix-socket.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** An HTTP server on an abstract socket that answers with how the request reached it. */
async function unixServer(name: string): Promise<void> {
  const server = createServer((req, res) => res.end(JSON.stringify({ path: req.url, tcp: req.socket.remoteAddress !== undefined })));
  servers.push(server);
  await new Promise<void>((r) => server.listen(unixSocketPath(name), r));
}

const name = () => `@kit-unix-test-${process.pid}-${Math.random().toString(36).slice(2)}`;

describe('unix sockets beside TCP', () => {
  it('writes @name as a Linux abstract socket, anything else as a file path', () => {
    expect(unixSocketPath('@micro-dev-1-2')).toBe('\0micro-dev-1-2');
    expect(unixSocketPath('/tmp/x.sock')).toBe('/tmp/x.sock');
  });

  it('reads MICRO_DEV_SOCKETS as host:port=socket pairs and names a bad one', () => {
    expect(parseSocketMap(undefined)).toEqual(new Map());
    expect(parseSocketMap('127.0.0.1:8081=@a, [::1]:9=/tmp/b.sock')).toEqual(
      new Map([
        ['127.0.0.1:8081', '@a'],
        ['[::1]:9', '/tmp/b.sock'],
      ]),
    );
    expect(() => parseSocketMap('127.0.0.1:8081')).toThrow('MICRO_DEV_SOCKETS: "127.0.0.1:8081" is not host:port=socket');
    expect(() => parseSocketMap('localhost=@a')).toThrow('"localhost=@a" is not host:port=socket');
    expect(() => parseSocketMap('127.0.0.1:1=')).toThrow('is not host:port=socket');
  });

  it.runIf(process.platform === 'linux')('dials a listed host:port at its socket and leaves the rest to TCP', async () => {
    const socket = name();
    await unixServer(socket);
    const tcp = createServer((req, res) => res.end(JSON.stringify({ path: req.url, tcp: req.socket.remoteAddress !== undefined })));
    servers.push(tcp);
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const tcpPort = (tcp.address() as { port: number }).port;
    // 127.0.0.1:1 listens on nothing: only its socket can answer
    const connect = dialUnixSockets(new Map([['127.0.0.1:1', socket]]))!;
    const pool = new HttpPool({ keepAliveMs: 1_000, connectTimeoutMs: 1_000, connect });
    try {
      const viaSocket = await pool.request({ origin: 'http://127.0.0.1:1', path: '/a', method: 'GET' });
      expect(JSON.parse(viaSocket.body.toString())).toEqual({ path: '/a', tcp: false });
      const viaTcp = await pool.request({ origin: `http://127.0.0.1:${tcpPort}`, path: '/b', method: 'GET' });
      expect(JSON.parse(viaTcp.body.toString())).toEqual({ path: '/b', tcp: true });
    } finally {
      await pool.close();
    }
  });

  it.runIf(process.platform === 'linux')('a listed socket nobody serves is refused, as a closed port is', async () => {
    const pool = new HttpPool({ keepAliveMs: 1_000, connectTimeoutMs: 1_000, connect: dialUnixSockets(new Map([['127.0.0.1:1', name()]]))! });
    try {
      await expect(pool.request({ origin: 'http://127.0.0.1:1', path: '/', method: 'GET' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await pool.close();
    }
  });

  it.runIf(process.platform === 'linux')('the registry clients reach a registry at its socket too (consul, nacos)', async () => {
    const socket = name();
    const server = createServer((req, res) =>
      res.end(req.url === '/v1/catalog/services' ? '{"go.micro.srv.greeter":[]}' : req.url?.startsWith('/nacos/v1/ns/service/list') ? '{"doms":["DEFAULT_GROUP@@go.micro.srv.greeter"]}' : '{}'),
    );
    servers.push(server);
    await new Promise<void>((r) => server.listen(unixSocketPath(socket), r));
    const connect = dialUnixSockets(new Map([['127.0.0.1:1', socket]]))!;
    for (const kind of ['consul', 'nacos'] as const) {
      const registry = createKitRegistry(kind, '127.0.0.1:1', { connect });
      try {
        expect(await registry.listServices()).toEqual(['go.micro.srv.greeter']);
      } finally {
        await registry.close();
      }
    }
  });

  it('an empty map dials nothing', () => {
    expect(dialUnixSockets(new Map())).toBeUndefined();
  });
});
