/**
 * startProxy: `micro proxy` on 8081 for clients that cannot reach services directly (MICRO_PROXY_ADDRESS).
 *
 *   POST  (Micro-Service / Micro-Endpoint headers)  -> mucp-forward -> a selected node of that service
 *   /rpc       JSON or form call (as the gateway's /rpc, always on)
 *   /registry  GET/POST/DELETE (registry-endpoint.ts)
 *   /broker    POST ?topic=t publishes the body with the request headers (needs deps.brokerAddress);
 *              GET ?topic=t[&queue=q] as a WebSocket subscribes (broker-websocket.ts)
 *   anything else without Micro-Service -> mucp error `service name is blank`
 *
 * Resolves once listening; stop() closes the listener, connections and registry watches.
 */
import http from 'node:http';
import { onClientError, serverTimeoutOptions } from '../gateway/server-timeouts.ts';
import { ConsulRegistryClient } from '../../services/kit/registry-client.ts';
import type { Listen } from '../config/topology.ts';
import { headersToMetadata } from '../gateway/handler-context.ts';
import { BodyTooLargeError, canonicalHeaderKey, readBody, send, sendTooLarge, splitUrl } from '../gateway/http-io.ts';
import { closeAfterAnswer } from '../gateway/lingering-close.ts';
import { createKitBackend, type KitBackendOptions } from '../gateway/kit-backend.ts';
import type { VersionRoutes } from '../gateway/version-routes.ts';
import { serveRpcEndpoint } from '../gateway/rpc-endpoint.ts';
import { serve, type StartedServer } from '../gateway/started-server.ts';
import type { Tracing } from '../traces/tracing.ts';
import { traceHttpRequest } from '../traces/server-span.ts';
import { BrokerWebSocket } from './broker-websocket.ts';
import { forwardMucp } from './mucp-forward.ts';
import { serveRegistry } from './registry-endpoint.ts';
import type { RegistryKind } from '../../services/kit/kit-registry.ts';

const BODY_LIMIT = 10 * 1024 * 1024;
const TIMEOUT_MS = 5_000;
const skipMessageHeaders = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding']);

export interface ProxyDeps {
  registryAddress: string;
  /** Discovery through this registry API (default consul); the /registry endpoint and broker WebSockets need Consul. */
  registryKind?: RegistryKind;
  brokerAddress?: string;
  /** The version each service is routed to (topology `proxy.versions`, changed live by the engine). */
  versions?: VersionRoutes;
  /** Spans for every request (micro-proxy) and its calls; none when tracing is off. */
  tracing?: Tracing;
  /** Dials nodes in process where it can (FaultPlane.openLocal); TCP otherwise. */
  connect?: KitBackendOptions['connect'];
}

export async function startProxy(config: Listen, deps: ProxyDeps): Promise<StartedServer> {
  const backend = createKitBackend({
    registryAddress: deps.registryAddress,
    ...(deps.connect ? { connect: deps.connect } : {}),
    ...(deps.registryKind ? { registryKind: deps.registryKind } : {}),
    ...(deps.brokerAddress ? { brokerAddress: deps.brokerAddress } : {}),
    ...(deps.tracing ? { tracer: deps.tracing.callTracer('micro-proxy') } : {}),
    ...(deps.versions ? { versions: deps.versions } : {}),
  });
  const tracer = deps.tracing?.tracer('micro-proxy');
  // Registering through the proxy (/registry POST, broker WebSockets) speaks Consul; with etcd those answer 501.
  const consulOnly = deps.registryKind !== undefined && deps.registryKind !== 'consul';
  const registry = new ConsulRegistryClient(deps.registryAddress.split(',')[0]!);
  const notConsul = (res: http.ServerResponse) =>
    send(res, 501, `this needs a Consul registry; the registry is ${deps.registryKind} (discovery through the proxy works, registering through it does not)\n`, { 'Content-Type': 'text/plain; charset=utf-8' });
  let boundAddress = '';
  const brokerWs = new BrokerWebSocket(registry, () => boundAddress);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { path, query } = splitUrl(req.url ?? '/');
    if (path === '/_sub' && req.method === 'POST') return consulOnly ? notConsul(res) : brokerWs.deliver(req, res, query);
    let body: Buffer;
    try {
      body = await readBody(req, BODY_LIMIT);
    } catch (e) {
      closeAfterAnswer(res);
      if (e instanceof BodyTooLargeError) return sendTooLarge(res, 'go.micro.proxy', e.limit);
      return send(res, 400, '');
    }
    if (path === '/rpc') {
      return serveRpcEndpoint(req, res, body, backend, { timeoutMs: TIMEOUT_MS, metadata: headersToMetadata(req, canonicalHeaderKey) });
    }
    if (path === '/registry' && consulOnly) return notConsul(res);
    if (path === '/registry') return serveRegistry(req, res, body, query, { backend, registry });
    if (path === '/broker') {
      if (req.method !== 'POST') return send(res, 405, 'Method not allowed\n', { 'Content-Type': 'text/plain; charset=utf-8' });
      const topic = new URLSearchParams(query).get('topic') ?? '';
      if (topic === '') return send(res, 400, 'Topic not specified\n', { 'Content-Type': 'text/plain; charset=utf-8' });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined && !skipMessageHeaders.has(k)) headers[canonicalHeaderKey(k)] = Array.isArray(v) ? v.join(',') : v;
      }
      try {
        const delivered = await backend.publish(topic, body, headers);
        return send(res, 200, JSON.stringify({ delivered }), { 'Content-Type': 'application/json' });
      } catch (e) {
        return send(res, 500, `${(e as Error).message}\n`, { 'Content-Type': 'text/plain; charset=utf-8' });
      }
    }
    await forwardMucp(req, res, body, backend, { timeoutMs: TIMEOUT_MS });
  }

  const server = http.createServer(serverTimeoutOptions(), (req, res) => {
    // only requests that carry a trace are traced here: registry and broker traffic would flood the store
    if (tracer && req.headers.traceparent !== undefined) {
      const service = req.headers['micro-service'];
      traceHttpRequest(tracer, req, res).setAttribute('micro.service', typeof service === 'string' ? service : '');
    }
    handle(req, res).catch((e: unknown) => send(res, 500, `${e instanceof Error ? e.message : String(e)}\n`));
  });
  server.on('clientError', onClientError);
  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (splitUrl(req.url ?? '/').path === '/broker' && !consulOnly) return brokerWs.upgrade(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  const started = await serve(server, { host: config.host, port: config.port, label: 'proxy' }, () =>
    Promise.allSettled([backend.close(), registry.close()]),
  );
  boundAddress = started.address;
  let stopping: Promise<void> | undefined;
  return {
    ...started,
    // WebSocket subscribers are not HTTP connections: close them before the server.
    stop() {
      stopping ??= brokerWs.close().then(() => started.stop());
      return stopping;
    },
  };
}
