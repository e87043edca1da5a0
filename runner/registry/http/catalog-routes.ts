import type { Clock } from '../../clock/clock.ts';
import { badRequest } from '../consul-http-error.ts';
import type { RegistryCore } from '../registry-core.ts';
import type { CheckRecord, ServiceRecord } from '../registry-types.ts';
import { blockUntilChanged } from './blocking-query.ts';
import type { CatalogData } from '../catalog-data.ts';
import { consulService, renderCatalogService, renderCheck, renderHealthService, renderNode, serfHealth } from './render.ts';
import type { Reply, RequestContext } from './request-context.ts';
import type { RouteTable } from './route-table.ts';
import { SharedRender, queryKey } from './shared-render.ts';

/**
 * `/v1/catalog/*` and `/v1/health/*`: blocking reads over the lease model's read view (Eureka serves them
 * from its read-only cache). Every reply carries X-Consul-Index >= 1.
 */
export function addCatalogRoutes(table: RouteTable, core: RegistryCore, wallClock: Clock, version = '1.17.0'): void {
  const r = core.render;
  const consul = consulService(version);
  // A server agent lists its own `consul` service in the catalog (not under /v1/agent/services).
  const instancesOf = (data: CatalogData, name: string) => (name === 'consul' ? [consul, ...data.instancesOf(name)] : data.instancesOf(name));
  const view = () => core.model.readView();
  // A read returns the value to send as JSON, or the JSON itself already serialized (a SharedRender's).
  const blocking = (read: (ctx: RequestContext) => unknown) => async (ctx: RequestContext): Promise<Reply> => {
    await blockUntilChanged(ctx, view, wallClock);
    const answer = read(ctx);
    const index = view().data.index;
    return Buffer.isBuffer(answer) ? { raw: answer, contentType: 'application/json', index } : { json: answer, index };
  };
  const healthAnswers = new SharedRender();
  const serviceName = (ctx: RequestContext) => {
    if (ctx.param === '') throw badRequest('Missing service name');
    return ctx.param;
  };
  // Validate the request before parking it, so a bad query never waits 5 minutes to fail.
  const withCheck = (check: (ctx: RequestContext) => void, read: (ctx: RequestContext) => unknown) =>
    async (ctx: RequestContext): Promise<Reply> => {
      check(ctx);
      return blocking(read)(ctx);
    };

  table.add('/v1/catalog/services', { GET: blocking(() => ({ consul: [], ...view().data.serviceNames() })) });
  table.add('/v1/catalog/service/', {
    GET: withCheck(serviceName, (ctx) =>
      filterTags(instancesOf(view().data, serviceName(ctx)), ctx).map((s) => renderCatalogService(s, r)),
    ),
  });
  table.add('/v1/catalog/nodes', { GET: blocking(() => [renderNode(r)]) });
  table.add('/v1/catalog/datacenters', { GET: () => ({ json: [r.node.datacenter] }) });
  // agent/catalog_endpoint.go CatalogNodeServices: an unknown node is `null`, not a 404.
  table.add('/v1/catalog/node/', {
    GET: withCheck(
      (ctx) => {
        if (ctx.param === '') throw badRequest('Missing node name');
      },
      (ctx) => {
        if (ctx.param !== r.node.name) return null;
        const services: Record<string, unknown> = { consul: renderHealthService(consul, r) };
        for (const s of view().data.allServices()) services[s.id] = renderHealthService(s, r);
        return { Node: renderNode(r), Services: services };
      },
    ),
  });
  table.add('/v1/health/service/', {
    GET: withCheck(
      (ctx) => {
        serviceName(ctx);
        passingFlag(ctx);
      },
      (ctx) => {
        const data = view().data;
        const name = serviceName(ctx);
        // Every watcher of the service wakes on the same index move: the answer is built once for them all.
        return healthAnswers.json(data.index, queryKey(ctx.path, ctx.query), () => {
          // An instance's checks are the node's (maintenance, node-level) and its own; all count for ?passing.
          const nodeChecks = data.nodeChecks();
          let entries = filterTags(instancesOf(data, name), ctx).map((service) => ({ service, checks: [...nodeChecks, ...data.checksOf(service.id)] }));
          if (passingFlag(ctx)) {
            const protectedEntries = core.model.protect?.(name, entries);
            entries = protectedEntries ?? entries.filter((e) => e.checks.every((c) => c.status === 'passing'));
          }
          return entries.map((e) => ({
            Node: renderNode(r),
            Service: renderHealthService(e.service, r),
            Checks: [serfHealth(r, data.index), ...e.checks.map((c) => renderCheck(c, r))],
          }));
        });
      },
    ),
  });
  table.add('/v1/health/checks/', {
    GET: withCheck(serviceName, (ctx) => {
      const data = view().data;
      return data.instancesOf(serviceName(ctx)).flatMap((s) => data.checksOf(s.id).map((c) => renderCheck(c, r)));
    }),
  });
  table.add('/v1/health/state/', {
    GET: withCheck(
      (ctx) => {
        if (ctx.param === '') throw badRequest('Missing check state');
      },
      (ctx) => {
        const state = ctx.param;
        const data = view().data;
        const node = state === 'any' || state === 'passing' ? [serfHealth(r, data.index)] : [];
        const checks = data.allChecks().filter((c: CheckRecord) => state === 'any' || c.status === state);
        return [...node, ...checks.map((c) => renderCheck(c, r))];
      },
    ),
  });
  // state.NodeChecks walks the checks table by (node, lower-cased CheckID): every check of the node, sorted.
  table.add('/v1/health/node/', {
    GET: withCheck(
      (ctx) => {
        if (ctx.param === '') throw badRequest('Missing node name');
      },
      (ctx) => {
        const data = view().data;
        if (ctx.param !== r.node.name) return [];
        const all = [{ id: 'serfHealth', json: serfHealth(r, data.index) }, ...data.allChecks().map((c) => ({ id: c.checkId, json: renderCheck(c, r) }))];
        return all.sort((a, b) => compareLower(a.id, b.id)).map((c) => c.json);
      },
    ),
  });
}

function compareLower(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `?passing`: present-only flag parsed like Go's strconv.ParseBool; a bad value is a 400. */
export function passingFlag(ctx: RequestContext): boolean {
  const v = ctx.query.get('passing');
  if (v === null) return false;
  if (v === '' || ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw badRequest('Invalid value for ?passing');
}

/** `?tag=a&tag=b`: every tag must be present, compared case-insensitively. */
function filterTags(services: ServiceRecord[], ctx: RequestContext): ServiceRecord[] {
  const wanted = ctx.query.getAll('tag').map((t) => t.toLowerCase());
  if (wanted.length === 0) return services;
  return services.filter((s) => {
    const have = new Set(s.tags.map((t) => t.toLowerCase()));
    return wanted.every((t) => have.has(t));
  });
}
