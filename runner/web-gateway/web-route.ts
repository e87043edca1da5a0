/**
 * `micro web` routing (mm@v1.18.0:web/web.go): the first path segment names the service, the rest is the
 * path the service sees.  /greeter/x?y -> go.micro.web.greeter, /x?y, X-Micro-Web-Base-Path: /greeter
 * Names must match `^[a-zA-Z0-9]+([a-zA-Z0-9-]*[a-zA-Z0-9]*)?$`; others are not routed (undefined).
 */
import { setNamespace } from '../gateway/resolve-namespace.ts';

const aliasRe = /^[a-zA-Z0-9]+([a-zA-Z0-9-]*[a-zA-Z0-9]*)?$/;

export interface WebRoute {
  service: string;
  alias: string;
  /** Path + query for the service. */
  url: string;
  basePath: string;
}

export function webRoute(namespace: string, url: string): WebRoute | undefined {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q);
  const parts = path.split('/');
  const alias = parts[1] ?? '';
  if (!aliasRe.test(alias)) return undefined;
  const rest = '/' + parts.slice(2).join('/');
  return { service: setNamespace(namespace, alias), alias, url: rest + query, basePath: `/${alias}` };
}
