/**
 * startWebGateway: `micro web` on 8082.
 *
 *   GET /                -> index page of web services (namespace go.micro.web by default)
 *   /<alias>/<rest>      -> reverse proxy to a node of <namespace>.<alias> as /<rest>,
 *                           with X-Micro-Web-Base-Path: /<alias>; WebSocket upgrades are piped through
 *   unknown service      -> 404 `service <name> not found`;  node down -> 502;  invalid alias -> 404
 *
 * Resolves once listening; stop() closes the listener, connections and registry watches.
 */
import http from 'node:http';
import { onClientError, serverTimeoutOptions } from '../gateway/server-timeouts.ts';
import type { WebConfig } from '../config/topology.ts';
import { allNodes } from '../gateway/gateway-backend.ts';
import { BodyTooLargeError, readBody, send, sendTooLarge } from '../gateway/http-io.ts';
import { closeAfterAnswer } from '../gateway/lingering-close.ts';
import { createKitBackend } from '../gateway/kit-backend.ts';
import { proxyUpgrade } from '../gateway/proxy-upgrade.ts';
import { proxyToService } from '../gateway/reverse-proxy.ts';
import { serve, type StartedServer } from '../gateway/started-server.ts';
import type { Tracing } from '../traces/tracing.ts';
import { traceHttpRequest } from '../traces/server-span.ts';
import { indexPage } from './index-page.ts';
import type { RegistryKind } from '../../services/kit/kit-registry.ts';
import { webRoute } from './web-route.ts';

const BODY_LIMIT = 10 * 1024 * 1024;
const text = { 'Content-Type': 'text/plain; charset=utf-8' };

export async function startWebGateway(config: WebConfig, deps: { registryAddress: string; registryKind?: RegistryKind; tracing?: Tracing }): Promise<StartedServer> {
  const tracer = deps.tracing?.tracer('micro-web');
  const backend = createKitBackend({ registryAddress: deps.registryAddress, ...(deps.registryKind ? { registryKind: deps.registryKind } : {}) });
  const namespace = config.namespace || 'go.micro.web';

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url === '/' || url.startsWith('/?')) {
      const names = await backend.listServices();
      return send(res, 200, indexPage(namespace, names), { 'Content-Type': 'text/html; charset=utf-8' });
    }
    if (url === '/favicon.ico') return send(res, 200, '');
    const route = url.startsWith('/') ? webRoute(namespace, url) : undefined;
    if (!route) return send(res, 404, '404 page not found\n', text);
    if ((await backend.lookup(route.service)).length === 0) return send(res, 404, `service ${route.service} not found\n`, text);
    let body: Buffer;
    try {
      body = await readBody(req, BODY_LIMIT);
    } catch (e) {
      closeAfterAnswer(res);
      if (e instanceof BodyTooLargeError) return sendTooLarge(res, 'go.micro.web', e.limit);
      return send(res, 400, '');
    }
    await proxyToService(backend, route.service, req, res, body, {
      url: route.url,
      headers: { 'X-Micro-Web-Base-Path': route.basePath },
      timeoutMs: 60_000,
    });
  }

  const server = http.createServer(serverTimeoutOptions(), (req, res) => {
    if (tracer) traceHttpRequest(tracer, req, res);
    handle(req, res).catch((e: unknown) => send(res, 500, `${e instanceof Error ? e.message : String(e)}\n`, text));
  });
  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const fail = (status: string): void => void socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    const route = webRoute(namespace, req.url ?? '/');
    if (!route) return fail('404 Not Found');
    void (async () => {
      const picked = backend.pick(route.service, allNodes(await backend.lookup(route.service)));
      if (!picked) return fail('404 Not Found');
      const outcome = await proxyUpgrade(req, socket, head, picked.node.address, route.url, { 'X-Micro-Web-Base-Path': route.basePath });
      picked.done(outcome === 'refused' ? 'refused' : 'ok');
    })().catch(() => socket.destroy());
  });
  server.on('clientError', onClientError);
  return serve(server, { host: config.host, port: config.port, label: 'web gateway' }, () => backend.close());
}
