import { badRequest, notFound } from '../consul-http-error.ts';
import { decodeCheckDefinition } from '../decode-check-definition.ts';
import { decodeServiceDefinition } from '../decode-service-definition.ts';
import type { RegistryCore } from '../registry-core.ts';
import { CheckStatuses, type CheckStatus } from '../registry-types.ts';
import { decodeStruct, parseJsonBody } from '../strict-json.ts';
import { renderMember } from './agent-node-routes.ts';
import { contentHash, renderAgentService, renderCheck } from './render.ts';
import type { Reply, RequestContext } from './request-context.ts';
import type { RouteTable } from './route-table.ts';

const EMPTY: Reply = { text: '', contentType: '' };

/** `/v1/agent/*`: local agent operations. Agent reads do not block and set no X-Consul-Index. */
export function addAgentRoutes(table: RouteTable, core: RegistryCore, info: { version: string; address: string }): void {
  const profile = core.profile;
  table.add('/v1/agent/service/register', {
    PUT: async (ctx) => {
      const def = decodeServiceDefinition(await ctx.text(), { profile, semantics: core.model.semantics });
      const replace = ctx.query.get('replace-existing-checks');
      core.register(def, replace !== null && (replace === '' || replace === 'true' || replace === '1'));
      return EMPTY;
    },
  });
  table.add('/v1/agent/service/deregister/', {
    PUT: (ctx) => {
      core.deregister(ctx.param);
      return EMPTY;
    },
  });
  table.add('/v1/agent/check/register', {
    PUT: async (ctx) => {
      const { serviceId, check } = decodeCheckDefinition(await ctx.text(), { profile, semantics: core.model.semantics });
      core.registerCheck(serviceId, { ...check, checkId: check.checkId! });
      return EMPTY;
    },
  });
  table.add('/v1/agent/check/deregister/', {
    PUT: (ctx) => {
      core.deregisterCheck(ctx.param);
      return EMPTY;
    },
  });
  const ttl = (status: CheckStatus) => (ctx: RequestContext): Reply => {
    core.updateTtl(ctx.param, status, ctx.query.get('note') ?? '');
    return EMPTY;
  };
  table.add('/v1/agent/check/pass/', { PUT: ttl('passing') });
  table.add('/v1/agent/check/warn/', { PUT: ttl('warning') });
  table.add('/v1/agent/check/fail/', { PUT: ttl('critical') });
  table.add('/v1/agent/check/update/', {
    PUT: async (ctx) => {
      let body: Record<string, unknown>;
      try {
        body = decodeStruct(parseJsonBody(await ctx.text()), {
          name: 'checkUpdate',
          fields: { Status: { kind: 'string' }, Output: { kind: 'string' } },
        });
      } catch (e) {
        throw badRequest(`Request decode failed: ${(e as Error).message}`);
      }
      const status = (body.Status as string | undefined) ?? '';
      if (!(CheckStatuses as string[]).includes(status)) throw badRequest(`Invalid check status: '${status}'`);
      core.updateTtl(ctx.param, status as CheckStatus, (body.Output as string | undefined) ?? '');
      return EMPTY;
    },
  });
  table.add('/v1/agent/services', {
    GET: () => {
      const out: Record<string, unknown> = {};
      for (const s of core.store.allServices()) out[s.id] = renderAgentService(s, core.render);
      return { json: out };
    },
  });
  table.add('/v1/agent/service/', {
    GET: (ctx) => {
      const s = core.store.getService(ctx.param);
      if (!s) throw notFound(`unknown service ID: ${ctx.param}`);
      const hash = contentHash(s);
      return { json: { ...renderAgentService(s, core.render), ContentHash: hash }, headers: { 'X-Consul-Contenthash': hash } };
    },
  });
  table.add('/v1/agent/checks', {
    GET: () => {
      const out: Record<string, unknown> = {};
      for (const c of core.store.allChecks()) out[c.checkId] = renderCheck(c, core.render);
      return { json: out };
    },
  });
  table.add('/v1/agent/self', {
    GET: () => ({
      json: {
        Config: {
          Datacenter: core.node.datacenter,
          PrimaryDatacenter: core.node.datacenter,
          NodeName: core.node.name,
          NodeID: core.node.id,
          Revision: 'micro-dev',
          Server: true,
          Version: info.version,
          BuildDate: '2024-01-01T00:00:00Z',
        },
        DebugConfig: {},
        Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 },
        Member: renderMember(core.node, info.version, false),
        Stats: {},
        Meta: { 'consul-network-segment': '' },
      },
    }),
  });
  table.add('/v1/agent/host', {
    GET: () => ({
      json: {
        Memory: {},
        CPU: [],
        Host: { hostname: core.node.name, os: process.platform, platform: 'micro-dev' },
        Disk: {},
        CollectionTime: Date.now() * 1e6,
        Errors: null,
      },
    }),
  });
}
