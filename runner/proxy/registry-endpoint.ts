/**
 * `/registry` of the early `micro proxy` (mm@v1.0.0:proxy/proxy.go), for curl users:
 *   GET  ?service=x  -> JSON [registry.Service] (404 `Service not found`);  GET -> [{"name":...}]
 *   POST (JSON registry.Service, ?ttl=<seconds>, default 60) registers its nodes;  DELETE deregisters them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConsulRegistryClient } from '../../services/kit/registry-client.ts';
import type { Endpoint, RegistryNode } from '../../services/kit/types.ts';
import type { GatewayBackend } from '../gateway/gateway-backend.ts';
import { send } from '../gateway/http-io.ts';

const text = { 'Content-Type': 'text/plain; charset=utf-8' };
const json = { 'Content-Type': 'application/json' };

interface ServiceBody {
  name?: string;
  version?: string;
  endpoints?: Endpoint[];
  nodes?: RegistryNode[];
}

export async function serveRegistry(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  query: string,
  deps: { backend: GatewayBackend; registry: ConsulRegistryClient },
): Promise<void> {
  const params = new URLSearchParams(query);
  if (req.method === 'GET') {
    const name = params.get('service');
    if (name) {
      const svcs = await deps.backend.lookup(name, { allVersions: true });
      if (svcs.length === 0 || svcs.every((s) => s.nodes.length === 0)) return send(res, 404, 'Service not found\n', text);
      return send(res, 200, JSON.stringify(svcs), json);
    }
    const names = await deps.registry.listServices();
    return send(res, 200, JSON.stringify(names.map((n) => ({ name: n }))), json);
  }
  if (req.method !== 'POST' && req.method !== 'DELETE') return send(res, 405, 'Method not allowed\n', text);
  let svc: ServiceBody;
  try {
    svc = JSON.parse(body.toString('utf8')) as ServiceBody;
  } catch (e) {
    return send(res, 400, `${(e as Error).message}\n`, text);
  }
  if (!svc || typeof svc.name !== 'string' || svc.name === '' || !Array.isArray(svc.nodes)) {
    return send(res, 400, 'a service needs a name and nodes\n', text);
  }
  try {
    for (const node of svc.nodes) {
      if (req.method === 'DELETE') {
        await deps.registry.deregister(node.id);
        continue;
      }
      const ttlS = Number(params.get('ttl') ?? 60);
      await deps.registry.register(
        { ...node, metadata: node.metadata ?? {}, service: svc.name, version: svc.version ?? 'latest', endpoints: svc.endpoints ?? [] },
        (Number.isFinite(ttlS) && ttlS > 0 ? ttlS : 60) * 1000,
      );
      await deps.registry.passTtl(`service:${node.id}`);
    }
  } catch (e) {
    return send(res, 500, `${(e as Error).message}\n`, text);
  }
  return send(res, 200, '');
}
