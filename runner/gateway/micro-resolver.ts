/**
 * micro's default resolver (`gm@v1.18.0:api/resolver/micro`): an HTTP path to (service, method).
 *
 *   rpc mode   (handlers meta, api, rpc):      /greeter/say/hello  -> greeter, Say.Hello
 *   proxy mode (handlers http, proxy, web, event): /greeter/x      -> greeter, <HTTP method>
 *
 * The service name returned here is not namespaced yet (resolve-route.ts does that).
 */
import { camel, goPathClean } from './go-path.ts';

const versionRe = /^v[0-9]+$/;
const aliasRe = /^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/;

export interface ResolvedName {
  service: string;
  method: string;
}

function methodName(parts: string[]): string {
  return parts.map(camel).join('.');
}

/** rpc mode. A single segment `/foo` gives `Foo.Call` (go-micro >= 2.3; v1 gave `Foo`, see README). */
export function apiRoute(p: string): ResolvedName {
  const parts = goPathClean(p).replace(/^\//, '').split('/');
  if (parts.length === 1) {
    const only = parts[0] ?? '';
    return { service: only, method: only === '' ? '' : `${camel(only)}.Call` };
  }
  if (parts.length === 2) return { service: parts[0] ?? '', method: methodName(parts) };
  if (parts.length === 3 && versionRe.test(parts[0] ?? '')) {
    return { service: parts.slice(0, 2).join('.'), method: methodName(parts.slice(1)) };
  }
  return { service: parts.slice(0, -2).join('.'), method: methodName(parts.slice(-2)) };
}

/** proxy mode: the raw path (no cleaning); an alias that is not `[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*` gives "". */
export function proxyRoute(p: string, httpMethod: string): ResolvedName {
  const parts = p.split('/');
  if (parts.length < 2) return { service: '', method: httpMethod };
  let service: string;
  let alias: string;
  if (parts.length > 2 && versionRe.test(parts[1] ?? '')) {
    service = `${parts[1]}.${parts[2]}`;
    alias = parts[2] ?? '';
  } else {
    service = parts[1] ?? '';
    alias = service;
  }
  if (!aliasRe.test(alias)) return { service: '', method: httpMethod };
  return { service, method: httpMethod };
}
