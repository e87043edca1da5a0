/**
 * The tracing work of one gateway request, in process and without sockets: the 7 spans of
 * `GET /greeter/say/hello` (gateway SERVER span, its attempt, the greeter-api/inbound and greeter-api/proxy
 * link spans, the proxy's SERVER span and attempt, the greeter-srv/inbound link span) made and ended by
 * micro-dev's own code (traceHttpRequest, callSpans, ExchangeTracing + linkSpans) into a TraceStore at its
 * caps. CPU microseconds per request (process.cpuUsage), median of 5 runs after a warm-up.
 *
 * A diagnostic beside tracing-overhead.ts (which reports it next to the CPU per request of the real path,
 * its anchor): it tells how much of the measured overhead is span work and how much is elsewhere.
 *
 *   node_modules/.bin/node bench/traces/span-cost.ts [requests per run, default 20000]
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { ExchangeTracing } from '../../runner/faults/exchange-tracing.ts';
import { traceHttpRequest } from '../../runner/traces/server-span.ts';
import { Tracing } from '../../runner/traces/tracing.ts';

const ANSWER = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
const NODE = { id: 'greeter-srv-1', address: '127.0.0.1:1234', metadata: {} };

function answered(): ServerResponse {
  const res = new EventEmitter() as EventEmitter & { statusCode: number; writableFinished: boolean; getHeader(): undefined };
  res.statusCode = 200;
  res.writableFinished = true;
  res.getHeader = () => undefined;
  return res as unknown as ServerResponse;
}

/** µs of CPU per request (median of 5 runs of `perRun` requests) and the spans one request recorded. */
export function spanCost(perRun = 20_000): { microsPerRequest: number; runs: number[]; spansPerRequest: number } {
  const tracing = new Tracing();
  const api = tracing.tracer('micro-api');
  const proxy = tracing.tracer('micro-proxy');
  const callApi = tracing.callTracer('micro-api');
  const callProxy = tracing.callTracer('micro-proxy');
  const links = tracing.linkTracer();
  const crossLink = (name: string, traceparent: string): string => {
    const chunk = Buffer.from(`POST / HTTP/1.1\r\nHost: x\r\nTraceparent: ${traceparent}\r\nContent-Length: 2\r\n\r\n{}`);
    const exchange = new ExchangeTracing(links, name, () => []);
    exchange.request(chunk);
    exchange.answer(ANSWER);
    const at = chunk.indexOf('Traceparent: ') + 13;
    return chunk.toString('latin1', at, at + 55);
  };
  const request = (): void => {
    const req = { method: 'GET', url: '/greeter/say/hello?name=John', headers: { host: 'x' } as Record<string, string> };
    const res = answered();
    traceHttpRequest(api, req as unknown as IncomingMessage, res).setAttribute('micro.handler', 'api').setAttribute('micro.service', 'go.micro.api.greeter');
    const call = callApi.call('go.micro.api.greeter', 'Say.Hello', { traceparent: req.headers['traceparent']! })!;
    const attempt = call.attempt(NODE, { candidates: 1, ejected: [], tried: [] });
    const viaProxy = crossLink('greeter-api/proxy', crossLink('greeter-api/inbound', attempt.traceparent));
    const preq = { method: 'POST', url: '/', headers: { host: 'x', traceparent: viaProxy } as Record<string, string> };
    const pres = answered();
    traceHttpRequest(proxy, preq as unknown as IncomingMessage, pres).setAttribute('micro.service', 'go.micro.srv.greeter');
    const call2 = callProxy.call('go.micro.srv.greeter', 'Say.Hello', { traceparent: preq.headers['traceparent']! })!;
    const attempt2 = call2.attempt(NODE, { candidates: 2, ejected: [], tried: [] });
    crossLink('greeter-srv-1/inbound', attempt2.traceparent);
    attempt2.end();
    call2.end();
    pres.emit('close');
    attempt.end();
    call.end();
    res.emit('close');
  };
  for (let i = 0; i < 5_000; i++) request();
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < perRun; i++) request();
    const d = process.cpuUsage(t0);
    runs.push(Math.round(((d.user + d.system) / perRun) * 10) / 10);
  }
  const spansPerRequest = tracing.store.list({ limit: 1 })[0]?.spans ?? 0;
  return { microsPerRequest: [...runs].sort((a, b) => a - b)[2]!, runs, spansPerRequest };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = spanCost(Number(process.argv[2] ?? 20_000));
  console.log(`tracing work per request (${r.spansPerRequest} spans): ${r.microsPerRequest} µs CPU (runs ${r.runs.join(' ')})`);
}
