import type { Clock } from '../../clock/clock.ts';
import { badRequest } from '../consul-http-error.ts';
import { decodeSessionRequest } from '../session/decode-session-request.ts';
import type { SessionRecord, SessionStore } from '../session/session-store.ts';
import { blockUntilChanged } from './blocking-query.ts';
import type { Reply, RequestContext } from './request-context.ts';
import type { RouteTable } from './route-table.ts';

/**
 * `/v1/session/*` (agent/session_endpoint.go): create/destroy/renew are PUT; info/node/list are blocking
 * GETs reporting the sessions index. An empty ID is 400 `Missing session`, an empty node `Missing node name`.
 */
export function addSessionRoutes(table: RouteTable, sessions: SessionStore, nodeName: () => string, wallClock: Clock): void {
  const view = () => ({ data: { index: sessions.index }, feed: sessions.feed });
  const blocking = (read: (ctx: RequestContext) => SessionRecord[], check?: (ctx: RequestContext) => void) => async (ctx: RequestContext): Promise<Reply> => {
    check?.(ctx);
    await blockUntilChanged(ctx, view, wallClock);
    return { json: read(ctx).map(renderSession), index: sessions.index };
  };
  const requireId = (ctx: RequestContext) => {
    if (ctx.param === '') throw badRequest('Missing session');
  };

  table.add('/v1/session/create', {
    PUT: async (ctx) => {
      const req = decodeSessionRequest(await ctx.text(), nodeName());
      return { json: { ID: sessions.create(req).id } };
    },
  });
  table.add('/v1/session/destroy/', {
    PUT: (ctx) => {
      requireId(ctx);
      sessions.destroy(ctx.param);
      return { json: true };
    },
  });
  table.add('/v1/session/renew/', {
    PUT: (ctx) => {
      requireId(ctx);
      return { json: [renderSession(sessions.renew(ctx.param))] };
    },
  });
  table.add('/v1/session/info/', {
    GET: blocking((ctx) => [sessions.get(ctx.param)].filter((s): s is SessionRecord => s !== undefined), requireId),
  });
  table.add('/v1/session/node/', {
    GET: blocking(
      (ctx) => sessions.ofNode(ctx.param),
      (ctx) => {
        if (ctx.param === '') throw badRequest('Missing node name');
      },
    ),
  });
  table.add('/v1/session/list', { GET: blocking(() => sessions.list()) });
}

/** `structs.Session` as JSON: LockDelay in nanoseconds, `Checks` only when set (omitempty). */
export function renderSession(s: SessionRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ID: s.id,
    Name: s.name,
    Node: s.node,
    LockDelay: Math.round(s.lockDelayMs * 1e6),
    Behavior: s.behavior,
    TTL: s.ttl,
    NodeChecks: s.nodeChecks,
    ServiceChecks: s.serviceChecks,
  };
  if (s.checks && s.checks.length) out.Checks = s.checks;
  out.CreateIndex = s.createIndex;
  out.ModifyIndex = s.modifyIndex;
  return out;
}
