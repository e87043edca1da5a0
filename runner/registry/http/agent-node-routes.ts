import { badRequest } from '../consul-http-error.ts';
import type { RegistryCore } from '../registry-core.ts';
import type { AgentNode } from './render.ts';
import type { Reply, RequestContext } from './request-context.ts';
import type { RouteTable } from './route-table.ts';

const EMPTY: Reply = { text: '', contentType: '' };

/**
 * The agent's node: `/v1/agent/members` (LAN, or WAN with `?wan`) and maintenance mode,
 * `PUT /v1/agent/maintenance?enable=&reason=` and `PUT /v1/agent/service/maintenance/<id>?enable=&reason=`
 * (agent/agent_endpoint.go AgentNodeMaintenance / AgentServiceMaintenance).
 */
export function addAgentNodeRoutes(table: RouteTable, core: RegistryCore, version: string): void {
  table.add('/v1/agent/members', {
    GET: (ctx) => ({ json: [renderMember(core.node, version, ctx.query.has('wan') && ctx.query.get('wan') !== '0')] }),
  });
  table.add('/v1/agent/maintenance', {
    PUT: (ctx) => {
      core.setMaintenance('', enableFlag(ctx), ctx.query.get('reason') ?? '');
      return EMPTY;
    },
  });
  // A longer prefix than GET /v1/agent/service/<id>, so a PUT here is not that route's 405.
  table.add('/v1/agent/service/maintenance/', {
    PUT: (ctx) => {
      if (ctx.param === '') throw badRequest('Missing service ID');
      core.setMaintenance(ctx.param, enableFlag(ctx), ctx.query.get('reason') ?? '');
      return EMPTY;
    },
  });
}

/** `?enable=` parsed with Go's strconv.ParseBool. */
function enableFlag(ctx: RequestContext): boolean {
  const raw = ctx.query.get('enable');
  if (raw === null) throw badRequest('Missing value for enable');
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(raw)) return false;
  throw badRequest(`Invalid value for enable: ${JSON.stringify(raw)}`);
}

/** A Serf member (agent/members, agent/self Member): the LAN member, or `<node>.<dc>` on 8302 for the WAN. */
export function renderMember(node: AgentNode, version: string, wan: boolean): Record<string, unknown> {
  return {
    Name: wan ? `${node.name}.${node.datacenter}` : node.name,
    Addr: node.address,
    Port: wan ? 8302 : 8301,
    Tags: {
      build: `${version}:micro-dev`,
      dc: node.datacenter,
      id: node.id,
      port: '8300',
      raft_vsn: '3',
      role: 'consul',
      segment: '',
      vsn: '2',
      vsn_max: '3',
      vsn_min: '2',
    },
    Status: 1,
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  };
}
