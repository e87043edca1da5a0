/**
 * startBroker: the in-process broker with go-micro HTTP broker semantics.
 *
 *   POST /publish?topic=T  (raw body; request headers become message headers)  -> 200 {"delivered":N}
 *        └─> registry: go.micro.http.broker nodes with broker=http, topic=T ─> POST <node>/_sub?id=<id>
 *   publish(topic, body, headers) does the same in-process.
 *   missing topic -> 400 `Topic not specified`;  other paths 404;  non-POST 405.
 *
 * Resolves once listening; stop() closes the listener and the registry watch. The caller owns it.
 */
import http from 'node:http';
import { onClientError, serverTimeoutOptions } from '../gateway/server-timeouts.ts';
import type { BrokerConfig } from '../config/topology.ts';
import { NodeCache } from '../../services/kit/node-cache.ts';
import { createKitRegistry, type RegistryKind } from '../../services/kit/kit-registry.ts';
import { serve, type StartedServer } from '../gateway/started-server.ts';
import { BodyTooLargeError, readBody, send, splitUrl } from '../gateway/http-io.ts';
import { closeAfterAnswer } from '../gateway/lingering-close.ts';
import { BROKER_SERVICE, deliver, deliveryTargets, encodeMessage } from './deliver-message.ts';

export interface StartedBroker extends StartedServer {
  /** Publishes to every subscriber of topic; resolves with how many accepted it (0 = nobody subscribed). */
  publish(topic: string, body: Buffer, headers?: Record<string, string>): Promise<number>;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const skipHeaders = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'accept-encoding', 'user-agent']);

function messageHeaders(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i] ?? '';
    if (skipHeaders.has(k.toLowerCase())) continue;
    const canon = k.toLowerCase().replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
    out[canon] = raw[i + 1] ?? '';
  }
  return out;
}

export async function startBroker(config: BrokerConfig, deps: { registryAddress: string; registryKind?: RegistryKind }): Promise<StartedBroker> {
  const registry = createKitRegistry(deps.registryKind ?? 'consul', deps.registryAddress);
  const cache = new NodeCache(registry);

  const publish = async (topic: string, body: Buffer, headers: Record<string, string> = {}): Promise<number> => {
    let services;
    try {
      services = await cache.get(BROKER_SERVICE);
    } catch {
      return 0;
    }
    const targets = deliveryTargets(services, topic);
    if (targets.length === 0) return 0;
    return deliver(targets, encodeMessage(topic, body, headers));
  };

  const server = http.createServer(serverTimeoutOptions(), (req, res) => {
    const { path, query } = splitUrl(req.url ?? '/');
    if (path !== '/publish' && path !== '/broker') return send(res, 404, '404 page not found\n', { 'Content-Type': 'text/plain; charset=utf-8' });
    if (req.method !== 'POST') return send(res, 405, 'Method not allowed\n', { 'Content-Type': 'text/plain; charset=utf-8' });
    const topic = new URLSearchParams(query).get('topic') ?? '';
    if (topic === '') return send(res, 400, 'Topic not specified', { 'Content-Type': 'text/plain; charset=utf-8' });
    readBody(req, MAX_MESSAGE_BYTES)
      .then(async (body) => {
        const delivered = await publish(topic, body, messageHeaders(req.rawHeaders));
        send(res, 200, JSON.stringify({ delivered }), { 'Content-Type': 'application/json' });
      })
      .catch((e: unknown) => {
        if (e instanceof BodyTooLargeError) {
          closeAfterAnswer(res);
          send(res, 413, `message too large: limit is ${e.limit} bytes`);
        } else send(res, 500, e instanceof Error ? e.message : String(e), { 'Content-Type': 'text/plain; charset=utf-8' });
      });
  });
  server.on('clientError', onClientError);
  const started = await serve(server, { host: config.host, port: config.port, label: 'broker' }, async () => {
    cache.close();
    await registry.close();
  });
  return { ...started, publish };
}
