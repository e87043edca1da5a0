/**
 * resolveRoute: HTTP request -> (service, method) for the configured resolver, with the namespace applied
 * (go-micro v1: the router applies setNamespace to every resolver's result, host and grpc included).
 * Pure: no registry, no I/O. Vectors: reference/micro-api.md §2.4-§2.6, pinned in resolve-route.test.ts.
 */
import type { GatewayHandler, GatewayResolver } from '../config/topology.ts';
import { apiRoute, proxyRoute } from './micro-resolver.ts';
import { setNamespace } from './resolve-namespace.ts';

export interface RouteInput {
  /** URL path only (no query). */
  path: string;
  /** HTTP method. */
  method: string;
  /** Host header as sent, port included. */
  host: string;
}

export type RouteResult = { ok: true; service: string; method: string } | { ok: false; error: string };

const versionRe = /^v[0-9]+$/;

/** Handlers that use the micro resolver in rpc mode; every other handler uses proxy mode. */
export function isRpcMode(handler: GatewayHandler | 'micro'): boolean {
  return handler === 'meta' || handler === 'api' || handler === 'rpc' || handler === 'micro';
}

function bareName(input: RouteInput, resolver: GatewayResolver, handler: GatewayHandler): RouteResult {
  if (resolver === 'micro') {
    const r = isRpcMode(handler) ? apiRoute(input.path) : proxyRoute(input.path, input.method);
    return { ok: true, ...r };
  }
  if (resolver === 'host') return { ok: true, service: input.host, method: input.method };
  if (input.path === '/' || input.path === '') return { ok: false, error: 'unknown name' };
  const parts = input.path.slice(1).split('/');
  const first = parts[0] ?? '';
  if (resolver === 'path') return { ok: true, service: first, method: input.method };
  if (resolver === 'vpath') {
    // v1 semantics: /v1/foo -> foo (v2 would give v1.foo), see README.
    const name = parts.length > 1 && versionRe.test(first) ? (parts[1] ?? '') : first;
    return { ok: true, service: name, method: input.method };
  }
  // grpc: /greeter.Say/Hello -> greeter
  const dotted = first.split('.');
  return { ok: true, service: dotted.slice(0, -1).join('.'), method: input.method };
}

const memo = new Map<string, RouteResult>();

export function resolveRoute(
  input: RouteInput,
  opts: { resolver: GatewayResolver; handler: GatewayHandler; namespace: string },
): RouteResult {
  // Pure, and real traffic repeats a few routes: memoise (bounded, so random paths cannot grow it).
  const key = `${opts.resolver}\u0000${opts.handler}\u0000${opts.namespace}\u0000${input.method}\u0000${opts.resolver === 'host' ? input.host : ''}\u0000${input.path}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const r = bareName(input, opts.resolver, opts.handler);
  const out: RouteResult = r.ok ? { ok: true, service: setNamespace(opts.namespace, r.service), method: r.method } : r;
  if (memo.size > 5_000) memo.clear();
  memo.set(key, out);
  return out;
}
