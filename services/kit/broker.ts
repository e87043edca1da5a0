/**
 * go-micro v1's HTTP broker, the small parts a service needs (micro-api.md §3.3, `gm@v1.18.0:broker/http_broker.go`).
 *
 *   subscribe: registry node of service `go.micro.http.broker`, id `go.micro.http.broker-<uuid>.<uuid>`,
 *              metadata {secure:"false", broker:"http", topic}, address = the service's own server
 *   deliver:   POST /_sub?id=<node id>  {"Header":{...,":topic":"<topic>"},"Body":"<base64>"}  -> 200 empty
 *   publish:   POST http://<MICRO_BROKER_ADDRESS>/publish?topic=<topic>, raw body, message headers as headers
 */
import { traceHeaders, traceparentOf, withTraceHeaders } from './trace-context.ts';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { HttpPool } from './http-pool.ts';
import { MicroError } from './errors.ts';
import { goJson } from './go-json.ts';

export const BROKER_SERVICE = 'go.micro.http.broker';
export const SUB_PATH = '/_sub';

export interface BrokerEvent {
  topic: string;
  header: Record<string, string>;
  body: Buffer;
}

/** Gets the body decoded as JSON when the message says so (else the raw Buffer) and the whole event. */
export type SubscriberHandler<Msg = unknown> = (message: Msg, event: BrokerEvent) => unknown;

export interface Subscription {
  topic: string;
  /** Registry node id (`go.micro.http.broker-<uuid>.<uuid>`), also the `id` query of deliveries. */
  id: string;
  queue?: string;
  handler: SubscriberHandler;
}

/** Subscriptions of one service process; serves SUB_PATH on the service's server. */
export class BrokerSubscriptions {
  readonly #brokerId = `${BROKER_SERVICE}-${randomUUID()}`;
  readonly #subs: Subscription[] = [];

  add<Msg = unknown>(topic: string, handler: SubscriberHandler<Msg>, options: { queue?: string } = {}): Subscription {
    const sub: Subscription = { topic, id: `${this.#brokerId}.${randomUUID()}`, handler: handler as SubscriberHandler, ...(options.queue ? { queue: options.queue } : {}) };
    this.#subs.push(sub);
    return sub;
  }

  list(): readonly Subscription[] {
    return this.#subs;
  }

  readonly listener: RequestListener = (req, res) => {
    void this.#deliver(req, res);
  };

  async #deliver(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { 'Content-Type': 'text/plain' });
      res.end('Method not allowed\n');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let event: BrokerEvent;
    try {
      const msg = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Header?: Record<string, string>; Body?: string };
      const header = msg.Header ?? {};
      event = { topic: header[':topic'] ?? '', header, body: Buffer.from(msg.Body ?? '', 'base64') };
    } catch (e) {
      const err = MicroError.internal('go.micro.broker', `Error parsing request body: ${(e as Error).message}`);
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(goJson(err));
      return;
    }
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id');
    const ct = (event.header['Content-Type'] ?? '').split(';')[0]!.trim();
    for (const sub of this.#subs) {
      if (sub.id !== id || sub.topic !== event.topic) continue;
      let message: unknown = event.body;
      if (ct.includes('json')) {
        try {
          message = JSON.parse(event.body.toString('utf8'));
        } catch {
          // keep the raw body: a handler can still look at it
        }
      }
      try {
        // the publisher's trace context travels in the message header: what the handler calls joins that trace
        const trace = { traceparent: event.header['traceparent'] ?? event.header['Traceparent'], tracestate: event.header['tracestate'] ?? event.header['Tracestate'] };
        await withTraceHeaders(trace, () => sub.handler(message, event));
      } catch (e) {
        console.error(`subscriber ${sub.topic} failed: ${(e as Error)?.message ?? e}`);
      }
    }
    res.writeHead(200);
    res.end();
  }
}

/**
 * Publishes through the in-process broker. `message` that is not a Buffer/string is sent as JSON.
 * Rejects with MicroError 500 `go.micro.broker` when the broker cannot be reached or answers non-2xx.
 */
/** Connections to the broker, kept alive between publishes (idle ones are unref'd: they keep no thread up). */
const publishPool = new HttpPool({ keepAliveMs: 4_000, connectTimeoutMs: 5_000 });

export async function publish(
  brokerAddress: string,
  topic: string,
  message: unknown,
  headers: Record<string, string> = {},
): Promise<void> {
  const isRaw = Buffer.isBuffer(message) || typeof message === 'string';
  const body = isRaw ? message : goJson(message);
  const h: Record<string, string> = {
    'Content-Type': isRaw ? 'application/octet-stream' : 'application/json',
    'Micro-Topic': topic,
    'Micro-Id': randomUUID(),
    ...headers,
  };
  // published while handling a traced request: the message carries its trace context (W3C headers)
  const trace = traceHeaders();
  if (trace && traceparentOf(headers) === undefined) {
    h['traceparent'] = trace.traceparent;
    if (trace.tracestate !== undefined) h['tracestate'] = trace.tracestate;
  }
  let res;
  try {
    res = await publishPool.request({
      origin: `http://${brokerAddress}`,
      path: `/publish?topic=${encodeURIComponent(topic)}`,
      method: 'POST',
      headers: h,
      body,
      signal: AbortSignal.timeout(5_000),
    });
  } catch (e) {
    throw MicroError.internal('go.micro.broker', `publish ${topic} to ${brokerAddress} failed: ${(e as Error).message}`);
  }
  const text = res.body.toString('utf8');
  if (res.statusCode < 200 || res.statusCode > 299) {
    throw MicroError.internal('go.micro.broker', `publish ${topic} to ${brokerAddress} failed: ${res.statusCode} ${text.trim()}`);
  }
}
