import { describe, expect, it } from 'vitest';
import { webRoute } from './web-route.ts';
import { indexPage, webAliases } from './index-page.ts';

describe('micro web routing', () => {
  it.each([
    ['/greeter', { service: 'go.micro.web.greeter', url: '/', basePath: '/greeter' }],
    ['/greeter/', { service: 'go.micro.web.greeter', url: '/', basePath: '/greeter' }],
    ['/greeter/x?y=1', { service: 'go.micro.web.greeter', url: '/x?y=1', basePath: '/greeter' }],
    ['/foo-bar/a/b', { service: 'go.micro.web.foo-bar', url: '/a/b', basePath: '/foo-bar' }],
  ])('%s', (url, expected) => {
    expect(webRoute('go.micro.web', url)).toMatchObject(expected);
  });
  it.each(['/-x', '/a_b/c', '/a.b', '/'])('%s is not routed', (url) => {
    expect(webRoute('go.micro.web', url)).toBeUndefined();
  });
  it('index lists aliases of the namespace only', () => {
    expect(webAliases('go.micro.web', ['go.micro.web.greeter', 'go.micro.srv.greeter', 'go.micro.web.a'])).toEqual(['a', 'greeter']);
    expect(indexPage('go.micro.web', ['go.micro.web.greeter'])).toContain('<a href="/greeter/">greeter</a>');
  });
});
