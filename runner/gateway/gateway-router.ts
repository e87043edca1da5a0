/**
 * The gateway's request pipeline, outermost first (micro v2 order, reference §1 "Wrapping"/"Fixed routes"):
 *
 *   host allowlist (403) -> CORS (+ OPTIONS 200) -> unclean path 301 -> `/` version -> /favicon.ico
 *     -> /rpc (enableRpc) -> body (limit, 413) -> handler: meta | api | rpc | http/proxy | web | event
 *
 * Every response is reported to onRequest once it finishes. Handlers never throw to here; anything
 * unexpected becomes a 500 go-micro error so the gateway never crashes on input.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RecordingTracer } from '../traces/span-recorder.ts';
import { MicroError } from '../../services/kit/errors.ts';
import type { GatewayConfig } from '../config/topology.ts';
import { serveApi } from './api-handler.ts';
import { applyCors } from './cors.ts';
import { matchEndpoint } from './endpoint-match.ts';
import { serveEvent } from './event-handler.ts';
import type { GatewayBackend } from './gateway-backend.ts';
import { allNodes, nodeCount } from './gateway-backend.ts';
import { goPathClean } from './go-path.ts';
import type { HandlerContext } from './handler-context.ts';
import { headersToMetadata } from './handler-context.ts';
import { hostAllowed } from './host-allowlist.ts';
import { BodyTooLargeError, canonicalHeaderKey, readBody, send, sendMicroError, sendTooLarge, splitUrl, uncleanRedirect } from './http-io.ts';
import { closeAfterAnswer } from './lingering-close.ts';
import { proxyUpgrade } from './proxy-upgrade.ts';
import { resolveRoute } from './resolve-route.ts';
import { proxyToService } from './reverse-proxy.ts';
import { serveRpcEndpoint } from './rpc-endpoint.ts';
import { serveRpc } from './rpc-handler.ts';
import { endHttpSpan, traceHttpRequest } from '../traces/server-span.ts';
import { parentContext } from '../traces/w3c-propagation.ts';

export const MICRO_VERSION = '1.18.0';

export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  status: number;
  ms: number;
  service?: string;
}

export interface GatewayRouter {
  handle(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

const notFoundText = '404 page not found\n';

/** Path + query from a request target (origin-form, or absolute-form as proxies send). */
function target(url: string): { path: string; query: string } | undefined {
  if (url.startsWith('/')) return splitUrl(url);
  if (/^https?:\/\//i.test(url)) {
    try {
      const u = new URL(url);
      return { path: u.pathname, query: u.search.slice(1) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function createGatewayRouter(
  config: GatewayConfig,
  backend: GatewayBackend,
  onRequest?: (r: RequestRecord) => void,
  tracer?: RecordingTracer,
): GatewayRouter {
  const namespace = config.namespace;
  // micro answers 500 for a path that names no service; a 404 tells a client its URL is wrong (DIFFERENCES).
  const unknownService = (id: string, detail: string): MicroError =>
    config.unknownServiceStatus === 500 ? MicroError.internal(id, detail) : MicroError.notFound(id, detail);

  async function dispatch(ctx: HandlerContext, res: ServerResponse): Promise<void> {
    const { req } = ctx;
    const method = req.method ?? 'GET';
    const host = req.headers.host ?? '';
    const handler = config.handler;

    if (handler === 'event') return serveEvent(ctx, res);

    if (handler === 'http' || handler === 'proxy' || handler === 'web') {
      if ((handler === 'http' || handler === 'proxy') && !/^\/[a-zA-Z0-9]+/.test(ctx.path)) {
        send(res, 404, notFoundText, { 'Content-Type': 'text/plain; charset=utf-8' });
        return;
      }
      const route = resolveRoute({ path: ctx.path, method, host }, { resolver: config.resolver, handler, namespace });
      if (!route.ok) return send(res, 500, '');
      ctx.routedTo(route.service);
      await proxyToService(backend, route.service, req, res, ctx.body, { url: req.url ?? '/', timeoutMs: ctx.timeoutMs });
      return;
    }

    // meta: endpoint metadata from the registry first, then the resolver with the rpc handler.
    let effective: 'api' | 'rpc' | 'http' | 'event' = handler === 'api' ? 'api' : 'rpc';
    let service: string;
    let endpoint: string;
    const errId = handler === 'meta' ? namespace : 'go.micro.api';
    const matched = handler === 'meta' ? await metaMatch(method, host, ctx.path) : undefined;
    if (matched) {
      service = matched.service;
      endpoint = matched.endpoint;
      const h = matched.handler;
      effective = h === 'api' ? 'api' : h === 'web' || h === 'http' || h === 'proxy' ? 'http' : h === 'event' ? 'event' : 'rpc';
    } else {
      const route = resolveRoute({ path: ctx.path, method, host }, { resolver: config.resolver, handler, namespace });
      if (!route.ok) return sendMicroError(res, unknownService(errId, route.error));
      service = route.service;
      endpoint = route.method;
    }
    ctx.routedTo(service);
    if (effective === 'event') return serveEvent(ctx, res);
    // a watched service is served from the cache without a promise; only a lookup that waits is traced
    const services = backend.cached?.(service) ?? (tracer ? await tracedLookup(tracer, req, service) : await backend.lookup(service));
    if (services.length === 0) {
      // Registered, but its routed version (gateway.versions) has no node: go-micro's filtered selector.
      if ((await backend.lookup(service, { allVersions: true })).length > 0) {
        return sendMicroError(res, MicroError.internal('go.micro.client', `error selecting ${service} node: none available`));
      }
      return sendMicroError(res, unknownService(errId, 'service not found'));
    }
    if (effective === 'http') {
      await proxyToService(backend, service, req, res, ctx.body, { url: req.url ?? '/', timeoutMs: ctx.timeoutMs });
      return;
    }
    if (nodeCount(services) === 0) {
      return sendMicroError(res, MicroError.internal('go.micro.client', `error getting next ${service} node: none available`));
    }
    if (effective === 'api') return serveApi(ctx, res, service, endpoint);
    if (handler === 'rpc' && method !== 'GET' && method !== 'POST') {
      return send(res, 405, 'Method not allowed\n', { 'Content-Type': 'text/plain; charset=utf-8' });
    }
    return serveRpc(ctx, res, service, endpoint);
  }

  /** A lookup that had to wait for the registry (not served from the watched cache) gets its own span. */
  async function tracedLookup(t: RecordingTracer, req: IncomingMessage, service: string) {
    const start = performance.timeOrigin + performance.now();
    const services = await backend.lookup(service);
    const end = performance.timeOrigin + performance.now();
    const span = t.startSpan(`registry lookup ${service}`, { startTime: start, attributes: { 'micro.service': service, 'micro.nodes': nodeCount(services) } }, parentContext(req.headers));
    span.end(end);
    return services;
  }

  async function metaMatch(method: string, host: string, path: string) {
    const names = (await backend.listServices()).filter((n) => n.startsWith(namespace));
    const infos = (await Promise.all(names.map((n) => backend.lookup(n)))).flat();
    return matchEndpoint(infos, { method, host, path });
  }

  async function handleAsync(req: IncomingMessage, res: ServerResponse, routed: (s: string) => void): Promise<void> {
    if (!hostAllowed(config.hosts, req.headers.host)) {
      return sendMicroError(res, MicroError.forbidden('go.micro.api', `host ${JSON.stringify(req.headers.host ?? '')} is not in the gateway's hosts allowlist`));
    }
    if (config.cors && applyCors(req, res)) return send(res, 200, '');
    const t = target(req.url ?? '');
    if (!t) return sendMicroError(res, MicroError.badRequest('go.micro.api', `invalid request target ${JSON.stringify((req.url ?? '').slice(0, 100))}`));
    const redirect = uncleanRedirect(t.path, goPathClean);
    if (redirect !== undefined) {
      return send(res, 301, '', { Location: redirect + (t.query ? `?${t.query}` : '') });
    }
    if (t.path === '/') return send(res, 200, `{"version": "${MICRO_VERSION}"}`, { 'Content-Type': 'text/plain; charset=utf-8' });
    if (t.path === '/favicon.ico') return send(res, 200, '');
    let body: Buffer;
    try {
      body = await readBody(req, config.bodyLimitBytes);
    } catch (e) {
      closeAfterAnswer(res);
      if (e instanceof BodyTooLargeError) return sendTooLarge(res, 'go.micro.api', e.limit);
      return send(res, 400, '');
    }
    const metadata = headersToMetadata(req, canonicalHeaderKey);
    if (config.enableRpc && t.path === '/rpc') {
      return serveRpcEndpoint(req, res, body, backend, { timeoutMs: config.timeoutMs, metadata, routedTo: routed });
    }
    const ctx: HandlerContext = {
      req,
      body,
      path: t.path,
      query: t.query,
      backend,
      config,
      namespace,
      timeoutMs: config.timeoutMs,
      metadata,
      routedTo: routed,
    };
    return dispatch(ctx, res);
  }

  return {
    handle(req, res) {
      const started = performance.now();
      let service: string | undefined;
      // one 'close' listener for both the traffic record and the span, when there are both
      const span = tracer ? traceHttpRequest(tracer, req, res, !onRequest) : undefined;
      span?.setAttribute('micro.handler', config.handler);
      if (onRequest) {
        // 'close' comes once per response: `on` spares the once-wrapper
        res.on('close', () => {
          if (span) endHttpSpan(span, res);
          const rec: RequestRecord = {
            at: Date.now(),
            method: req.method ?? '',
            path: splitUrl(req.url ?? '').path,
            status: res.statusCode,
            ms: performance.now() - started,
          };
          if (service !== undefined) rec.service = service;
          try {
            onRequest(rec);
          } catch {
            // a faulty listener must not break serving
          }
        });
      }
      const routed = span
        ? (s: string) => {
            service = s;
            span.setAttribute('micro.service', s);
          }
        : (s: string) => (service = s);
      handleAsync(req, res, routed).catch((e: unknown) => {
        sendMicroError(res, MicroError.internal('go.micro.api', `internal error: ${e instanceof Error ? e.message : String(e)}`));
      });
    },

    upgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      const fail = (status: string): void => {
        socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      };
      if (config.handler !== 'web' || !hostAllowed(config.hosts, req.headers.host)) return fail(config.handler !== 'web' ? '400 Bad Request' : '403 Forbidden');
      const t = target(req.url ?? '');
      if (!t) return fail('400 Bad Request');
      const route = resolveRoute({ path: t.path, method: req.method ?? 'GET', host: req.headers.host ?? '' }, {
        resolver: config.resolver,
        handler: 'web',
        namespace,
      });
      if (!route.ok) return fail('500 Internal Server Error');
      void (async () => {
        const nodes = allNodes(await backend.lookup(route.service));
        const picked = backend.pick(route.service, nodes);
        if (!picked) return fail(nodes.length === 0 ? '500 Internal Server Error' : '404 Not Found');
        const outcome = await proxyUpgrade(req, socket, head, picked.node.address, req.url ?? '/');
        picked.done(outcome === 'refused' ? 'refused' : 'ok');
      })().catch(() => socket.destroy());
    },
  };
}
