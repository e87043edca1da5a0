import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApiRequest } from './api-handler.ts';

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Sends `request` (raw bytes) to a real node:http server and returns the api.Request built from what it parsed. */
async function apiRequestOf(request: string): Promise<Record<string, unknown>> {
  const built = new Promise<Record<string, unknown>>((resolve, reject) => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const [path, query = ''] = (req.url ?? '/').split('?');
        try {
          resolve(buildApiRequest(req, Buffer.concat(chunks), path!, query));
        } catch (e) {
          reject(e as Error);
        }
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const socket = net.connect((server!.address() as net.AddressInfo).port, '127.0.0.1');
  socket.on('error', () => {}).resume();
  socket.end(request);
  return built;
}

describe('buildApiRequest (api.Request from an HTTP request)', () => {
  it('groups repeated names in first-seen order; a name like __proto__ is a name like any other', async () => {
    const body = 'b=1&__proto__=p&b=2';
    const r = await apiRequestOf(
      'POST /greeter/say/hello?__proto__=x&a=1&a=2&constructor=c HTTP/1.1\r\nHost: gw\r\nx-trace: one\r\nX-Trace: two\r\n' +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(JSON.parse(JSON.stringify(r))).toEqual({
      method: 'POST',
      path: '/greeter/say/hello',
      header: {
        'X-Trace': { key: 'X-Trace', values: ['one', 'two'] },
        'Content-Type': { key: 'Content-Type', values: ['application/x-www-form-urlencoded'] },
        'Content-Length': { key: 'Content-Length', values: [String(body.length)] },
        Host: { key: 'Host', values: ['gw'] },
        'X-Forwarded-For': { key: 'X-Forwarded-For', values: ['127.0.0.1'] },
      },
      get: {
        ['__proto__']: { key: '__proto__', values: ['x'] },
        a: { key: 'a', values: ['1', '2'] },
        constructor: { key: 'constructor', values: ['c'] },
      },
      post: {
        b: { key: 'b', values: ['1', '2'] },
        ['__proto__']: { key: '__proto__', values: ['p'] },
      },
      url: '/greeter/say/hello?__proto__=x&a=1&a=2&constructor=c',
    });
    expect(Object.getPrototypeOf(r.get)).toBe(Object.prototype);
  });

  it('gives a request without a Content-Type micro\'s default, and keeps a client\'s X-Forwarded-For', async () => {
    const r = await apiRequestOf('GET /x HTTP/1.1\r\nHost: gw\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n');
    expect(r.header).toEqual({
      'X-Forwarded-For': { key: 'X-Forwarded-For', values: ['10.0.0.9'] },
      'Content-Type': { key: 'Content-Type', values: ['text/plain; charset=UTF-8'] },
      Host: { key: 'Host', values: ['gw'] },
    });
    expect(r.get).toEqual({});
  });
});
