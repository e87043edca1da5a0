/**
 * The `event` handler (gm@v1.18.0:api/handler/event): publishes the request as a `proto.Event` (here as
 * JSON) to topic `<namespace>.<first segment>` (event-route.ts). No registry lookup.
 *   data = the raw body, or for GET the query as `{"k":["v"]}`;  success 200 empty;  failure 500 text/plain.
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { buildApiRequest } from './api-handler.ts';
import { eventRoute } from './event-route.ts';
import { send } from './http-io.ts';
import type { HandlerContext } from './handler-context.ts';

export async function serveEvent(ctx: HandlerContext, res: ServerResponse): Promise<void> {
  const { topic, name } = eventRoute(ctx.namespace, ctx.path);
  ctx.routedTo(topic);
  let data: string;
  if (ctx.req.method === 'GET') {
    const q: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(ctx.query)) (q[k] ??= []).push(v);
    data = JSON.stringify(q);
  } else {
    data = ctx.body.toString('utf8');
  }
  const id = `${topic}-${name}-${randomUUID()}`;
  const event = {
    name,
    id,
    timestamp: Math.floor(Date.now() / 1000),
    header: (buildApiRequest(ctx.req, Buffer.alloc(0), ctx.path, '') as { header: unknown }).header,
    data,
  };
  const headers: Record<string, string> = { ...ctx.metadata, 'Content-Type': 'application/json', 'Micro-Topic': topic, 'Micro-Id': id };
  try {
    await ctx.backend.publish(topic, Buffer.from(JSON.stringify(event)), headers);
    send(res, 200, '');
  } catch (e) {
    send(res, 500, e instanceof Error ? e.message : String(e), { 'Content-Type': 'text/plain; charset=utf-8' });
  }
}
