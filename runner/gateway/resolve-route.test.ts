import { describe, expect, it } from 'vitest';
import type { GatewayHandler, GatewayResolver } from '../config/topology.ts';
import { resolveRoute } from './resolve-route.ts';
import { eventRoute } from './event-route.ts';
import { goPathClean } from './go-path.ts';

const ns = 'go.micro.api';
const rpc = (path: string, namespace = ns) =>
  resolveRoute({ path, method: 'GET', host: 'localhost:8080' }, { resolver: 'micro', handler: 'api', namespace });

describe('micro resolver, rpc mode (reference §2.4)', () => {
  // [row, path, service, method]
  const rows: [number, string, string, string][] = [
    [1, '/foo/bar', 'go.micro.api.foo', 'Foo.Bar'],
    [2, '/foo/bar/baz', 'go.micro.api.foo', 'Bar.Baz'],
    [3, '/foo/bar/baz/cat', 'go.micro.api.foo.bar', 'Baz.Cat'],
    [4, '/foo/bar/baz/cat/car', 'go.micro.api.foo.bar.baz', 'Cat.Car'],
    [5, '/foo/foo/bar', 'go.micro.api.foo', 'Foo.Bar'],
    [6, '/foo/bar/baz-xyz', 'go.micro.api.foo', 'Bar.BazXyz'],
    [7, '/foo/fooBar/bazCat', 'go.micro.api.foo', 'FooBar.BazCat'],
    [8, '/v1/foo/bar', 'go.micro.api.v1.foo', 'Foo.Bar'],
    [9, '/v1/foo/bar/baz', 'go.micro.api.v1.foo', 'Bar.Baz'],
    [10, '/v1/foo/bar/baz/cat', 'go.micro.api.v1.foo.bar', 'Baz.Cat'],
    [11, '/v2/foo/bar', 'go.micro.api.v2.foo', 'Foo.Bar'],
    [12, '/v2/foo/bar/baz', 'go.micro.api.v2.foo', 'Bar.Baz'],
    [13, '/greeter/say/hello', 'go.micro.api.greeter', 'Say.Hello'],
    [14, '/greeter/hello', 'go.micro.api.greeter', 'Greeter.Hello'],
    [15, '/example/call', 'go.micro.api.example', 'Example.Call'],
    [16, '/example/foo/bar', 'go.micro.api.example', 'Foo.Bar'],
    // Choice (§8.4): go-micro >= 2.3 `Foo.Call` for a single segment.
    [17, '/foo', 'go.micro.api.foo', 'Foo.Call'],
    [18, '/foo/', 'go.micro.api.foo', 'Foo.Call'],
    [19, '/foo/bar/', 'go.micro.api.foo', 'Foo.Bar'],
    [20, '/v1/foo', 'go.micro.api.v1', 'V1.Foo'],
    [21, '/V1/foo/bar', 'go.micro.api.V1', 'Foo.Bar'],
    [22, '/v1.2/foo/bar', 'go.micro.api.v1.2', 'Foo.Bar'],
    [23, '/Greeter/Say/Hello', 'go.micro.api.Greeter', 'Say.Hello'],
    [24, '/foo-bar/baz-qux', 'go.micro.api.foo-bar', 'FooBar.BazQux'],
    [25, '/foo_bar/baz_qux', 'go.micro.api.foo_bar', 'Foo_bar.Baz_qux'],
    [26, '/foo/bar.baz', 'go.micro.api.foo', 'Foo.Bar.Baz'],
    [27, '/a/b/c/d/e/f', 'go.micro.api.a.b.c.d', 'E.F'],
  ];
  it.each(rows)('row %i: %s -> %s %s', (_row, path, service, method) => {
    expect(rpc(path)).toEqual({ ok: true, service, method });
  });

  it('row 28: unclean paths clean to /foo/bar (the server answers 301 first)', () => {
    for (const p of ['/foo//bar', '/foo/./bar', '/x/../foo/bar']) expect(goPathClean(p)).toBe('/foo/bar');
  });
  it('row 30: --namespace=com.example.api', () => {
    expect(rpc('/foo/bar', 'com.example.api')).toEqual({ ok: true, service: 'com.example.api.foo', method: 'Foo.Bar' });
  });
  it('row 31: blank namespace (v1 hack) gives the bare name', () => {
    expect(rpc('/foo/bar', ' ')).toEqual({ ok: true, service: 'foo', method: 'Foo.Bar' });
  });
  it('setNamespace: "-" suffix dashes, "." suffix concatenates', () => {
    expect(rpc('/bar/baz/x', 'foo-')).toMatchObject({ service: 'foo-bar' });
    expect(rpc('/bar/x', 'foo.')).toMatchObject({ service: 'foo.bar' });
  });
});

describe('micro resolver, proxy mode (reference §2.5)', () => {
  const rows: [number, string, string][] = [
    [1, '/foo', 'go.micro.api.foo'],
    [2, '/foo/bar', 'go.micro.api.foo'],
    [3, '/greeter', 'go.micro.api.greeter'],
    [4, '/greeter/asim', 'go.micro.api.greeter'],
    [5, '/f-b', 'go.micro.api.f-b'],
    [5, '/foo-bar-baz', 'go.micro.api.foo-bar-baz'],
    [6, '/foo/bar/bar', 'go.micro.api.foo'],
    [7, '/v1/foo/bar', 'go.micro.api.v1.foo'],
    [7, '/v1/foo/bar/baz/cat', 'go.micro.api.v1.foo'],
    [8, '/v1', 'go.micro.api.v1'],
    [9, '/v1/', 'go.micro.api.'],
    [10, '/foo/', 'go.micro.api.foo'],
    [11, '/foo_bar', 'go.micro.api.'],
    [11, '/foo.bar/baz', 'go.micro.api.'],
    [11, '/foo-', 'go.micro.api.'],
    [12, '/-foo', 'go.micro.api.'],
    [13, '/Foo/Bar', 'go.micro.api.Foo'],
  ];
  const handlers: GatewayHandler[] = ['http', 'proxy', 'web', 'event'];
  it.each(rows)('row %i: %s -> %s', (_row, path, service) => {
    for (const handler of handlers) {
      const r = resolveRoute({ path, method: 'PUT', host: 'h' }, { resolver: 'micro', handler, namespace: ns });
      expect(r).toEqual({ ok: true, service, method: 'PUT' });
    }
  });
});

describe('path, vpath, host, grpc resolvers (reference §2.6, v1 column)', () => {
  const rows: [GatewayResolver, string, string, string][] = [
    ['path', '/foo/bar', 'localhost', 'go.micro.api.foo'],
    ['path', '/v1/foo/bar', 'localhost', 'go.micro.api.v1'],
    ['vpath', '/v1/foo/bar', 'localhost', 'go.micro.api.foo'],
    ['vpath', '/foo/bar', 'localhost', 'go.micro.api.foo'],
    ['host', '/anything', 'greeter.example.com:8080', 'go.micro.api.greeter.example.com:8080'],
    ['grpc', '/greeter.Say/Hello', 'localhost', 'go.micro.api.greeter'],
    ['grpc', '/go.micro.srv.greeter.Say/Hello', 'localhost', 'go.micro.api.go.micro.srv.greeter'],
    ['grpc', '/noDot/x', 'localhost', 'go.micro.api.'],
  ];
  it.each(rows)('%s %s (Host %s) -> %s, method = HTTP method', (resolver, path, host, service) => {
    const r = resolveRoute({ path, method: 'POST', host }, { resolver, handler: 'http', namespace: ns });
    expect(r).toEqual({ ok: true, service, method: 'POST' });
  });
  it.each(['path', 'vpath', 'grpc'] as const)('%s: "/" is an error "unknown name"', (resolver) => {
    expect(resolveRoute({ path: '/', method: 'GET', host: 'h' }, { resolver, handler: 'http', namespace: ns })).toEqual({
      ok: false,
      error: 'unknown name',
    });
  });
});

describe('event topics and names (reference §2.7, code behaviour)', () => {
  const rows: [string, string, string][] = [
    ['/', 'go.micro.api', 'event'],
    ['/user', 'go.micro.api.user', ''], // docs say `user`: we follow the code (§8.3)
    ['/user/login', 'go.micro.api.user', 'login'],
    ['/user/login/john', 'go.micro.api.user', 'login.john'],
    ['/v1/user/login', 'go.micro.api.v1.user', 'user.login'],
  ];
  it.each(rows)('%s -> topic %s, name %j', (path, topic, name) => {
    expect(eventRoute(ns, path)).toEqual({ topic, name });
  });
});
