import type { Clock } from '../../clock/clock.ts';
import { ConsulHttpError, badRequest } from '../consul-http-error.ts';
import { eventListIndex, type UserEvent, type UserEventLog } from '../event/user-event-log.ts';
import { parseBlocking } from './blocking-query.ts';
import type { RouteTable } from './route-table.ts';

const JITTER_FRACTION = 16;

/**
 * `/v1/event/fire/<name>` (PUT, body = payload, ?node= ?service= ?tag= filters) and `/v1/event/list`
 * (?name=, blocking on the non-monotonic event index: it waits while the index equals `?index`).
 * agent/event_endpoint.go: only X-Consul-Index is set on the list.
 */
export function addEventRoutes(table: RouteTable, events: UserEventLog, wallClock: Clock, random: () => number = Math.random): void {
  table.add('/v1/event/fire/', {
    PUT: async (ctx) => {
      if (ctx.param === '') throw badRequest('Missing name');
      const payload = await ctx.body(1 << 20);
      try {
        const event = events.fire({
          name: ctx.param,
          payload,
          nodeFilter: ctx.query.get('node') ?? '',
          serviceFilter: ctx.query.get('service') ?? '',
          tagFilter: ctx.query.get('tag') ?? '',
        });
        return { json: renderEvent(event) };
      } catch (e) {
        throw new ConsulHttpError(500, (e as Error).message);
      }
    },
  });
  table.add('/v1/event/list', {
    GET: async (ctx) => {
      const { waitMs } = parseBlocking(ctx);
      const rawIndex = ctx.query.get('index');
      const minIndex = rawIndex ? BigInt(rawIndex) : 0n;
      const name = ctx.query.get('name') ?? '';
      const deadline = wallClock.now() + waitMs + Math.floor((random() * waitMs) / JITTER_FRACTION);
      for (;;) {
        const seen = events.changes.index;
        const list = events.list(name);
        const index = eventListIndex(list);
        const left = deadline - wallClock.now();
        if (minIndex === 0n || index !== minIndex || left <= 0 || ctx.signal.aborted || events.changes.closed) {
          return { json: list.map(renderEvent), headers: { 'X-Consul-Index': index.toString() } };
        }
        await events.changes.waitBeyond(seen, left, wallClock, ctx.signal);
      }
    },
  });
}

export function renderEvent(e: UserEvent): Record<string, unknown> {
  return {
    ID: e.id,
    Name: e.name,
    Payload: e.payload ? e.payload.toString('base64') : null,
    NodeFilter: e.nodeFilter,
    ServiceFilter: e.serviceFilter,
    TagFilter: e.tagFilter,
    Version: e.version,
    LTime: e.ltime,
  };
}
