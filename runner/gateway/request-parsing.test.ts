import { describe, expect, it } from 'vitest';
import { parseRpcCall } from './rpc-endpoint.ts';
import { rpcPayload, trimJsonBody, rpcError } from './rpc-handler.ts';
import { hostAllowed } from './host-allowlist.ts';
import { matchEndpoint } from './endpoint-match.ts';
import { uncleanRedirect, canonicalHeaderKey } from './http-io.ts';
import { goPathClean, goTitle } from './go-path.ts';
import { MicroError } from '../../services/kit/errors.ts';
import type { ServiceInfo } from '../../services/kit/types.ts';

describe('/rpc body parsing (reference §3.4)', () => {
  const json = 'application/json';
  it.each([
    ['keys are case-insensitive', '{"Service":"s","Endpoint":"A.B","Request":{"x":1}}', { service: 's', endpoint: 'A.B', request: { x: 1 } }],
    ['method falls back for endpoint', '{"service":"s","method":"A.B"}', { service: 's', endpoint: 'A.B', request: null }],
    ['request as a JSON string is parsed', '{"service":"s","endpoint":"A.B","request":"{\\"n\\":1}"}', { service: 's', endpoint: 'A.B', request: { n: 1 } }],
    ['address is kept', '{"service":"s","endpoint":"A.B","address":"127.0.0.1:1"}', { address: '127.0.0.1:1' }],
  ])('%s', (_n, body, expected) => {
    expect(parseRpcCall(json, Buffer.from(body))).toMatchObject(expected);
  });
  it.each([
    [json, '{"endpoint":"A.B"}', 'invalid service'],
    [json, '{"service":"s"}', 'invalid endpoint'],
    ['application/x-www-form-urlencoded', 'service=s&method=A.B', 'error decoding request string: EOF'],
    ['', 'service=&method=A.B&request={}', 'invalid service'],
  ])('%s %s -> 400 %s', (ct, body, detail) => {
    const e = (() => {
      try {
        parseRpcCall(ct, Buffer.from(body));
      } catch (err) {
        return err as MicroError;
      }
      return undefined;
    })();
    expect(e?.toJSON()).toEqual({ id: 'go.micro.rpc', code: 400, detail, status: 'Bad Request' });
  });
});

describe('rpc handler payloads (reference §3.2)', () => {
  it.each([
    ['GET', 'application/json', '', 'name=Test', '{"name":"Test"}'],
    ['GET', 'application/json', '', '', 'null'],
    ['POST', 'application/json', '{"a":1}', '', '{"a":1}'],
    ['POST', 'text/plain', '', '', 'null'],
    ['PUT', 'application/json', '{"a":1}', '', 'null'],
    ['POST', 'application/json-rpc', '{"method":"S.H","params":[{"n":2}],"id":"0"}', '', '{"n":2}'],
  ])('%s %s %j ?%s -> %s', (method, ct, body, query, out) => {
    expect(rpcPayload(method, ct, Buffer.from(body), query).toString()).toBe(out);
  });
  it('error mapping: code 0 becomes 500 error during request', () => {
    expect(rpcError(new Error('rpc: can\'t find method X')).toJSON()).toEqual({
      id: 'go.micro.api', code: 500, detail: "error during request: rpc: can't find method X", status: 'Internal Server Error',
    });
    expect(rpcError(MicroError.badRequest('a', 'b')).code).toBe(400);
  });
  it('trims the JSON codec newline only', () => {
    expect(trimJsonBody(Buffer.from('{"msg":"Hello John"}\n')).toString()).toBe('{"msg":"Hello John"}');
  });
});

describe('hosts allowlist', () => {
  it.each([
    [[], undefined, true],
    [['localhost'], 'localhost:8080', true],
    [['localhost'], 'LOCALHOST', true],
    [['localhost'], '127.0.0.1:8080', false],
    [['localhost'], undefined, false],
    [['*.example.com'], 'api.example.com', true],
    [['*.example.com'], 'example.com', false],
    [['::1'], '[::1]:8080', false],
    [['[::1]'], '[::1]:8080', true],
  ] as [string[], string | undefined, boolean][])('%j %s -> %s', (hosts, host, ok) => {
    expect(hostAllowed(hosts, host)).toBe(ok);
  });
});

describe('endpoint metadata match (meta handler, v1 rules)', () => {
  const svc = (name: string, md: Record<string, string>): ServiceInfo => ({
    name, version: 'latest', metadata: {}, nodes: [], endpoints: [{ name: md.endpoint ?? 'X.Y', metadata: md }],
  });
  const services = [
    svc('go.micro.api.example', { endpoint: 'Example.Call', path: '/example', method: 'POST', handler: 'rpc' }),
    svc('go.micro.api.example2', { endpoint: 'Foo.Bar', path: '/foo/bar', method: 'POST', handler: 'api' }),
    svc('go.micro.api.nohandler', { endpoint: 'No.Handler', path: '/x' }),
  ];
  it.each([
    ['POST', '/example', 'Example.Call'],
    ['POST', '/example/call', 'Example.Call'], // unanchored v1 regex
    ['POST', '/foo/bar', 'Foo.Bar'],
    ['GET', '/example', undefined],
    ['POST', '/x', undefined],
  ])('%s %s -> %s', (method, path, endpoint) => {
    expect(matchEndpoint(services, { method, host: 'h', path })?.endpoint).toBe(endpoint);
  });
});

describe('Go helpers', () => {
  it.each([
    ['/foo//bar', '/foo/bar'],
    ['/foo/./bar/', '/foo/bar/'],
    ['/x/../foo/bar', '/foo/bar'],
    ['/foo/bar', undefined],
    ['/', undefined],
    ['/..', '/'],
  ])('ServeMux redirect %s -> %s', (p, to) => {
    expect(uncleanRedirect(p, goPathClean)).toBe(to);
  });
  it('strings.Title and canonical header keys', () => {
    expect(goTitle('bar.baz')).toBe('Bar.Baz');
    expect(goTitle('foo_bar')).toBe('Foo_bar');
    expect(goTitle('fooBar')).toBe('FooBar');
    expect(canonicalHeaderKey('x-forwarded-for')).toBe('X-Forwarded-For');
  });
});
