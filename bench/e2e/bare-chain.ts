/**
 * The e2e baseline: a bare node:http chain with the default topology's hop layout and none of our code
 * (no registry, no links, no kit), keep-alive on every hop.
 *
 *   client ──> "gateway" (main thread) ──> "api" (worker thread) ──> "proxy" (main thread) ──> "srv" (worker threads)
 *
 * Two srv workers, as the default topology runs greeter-srv (`replicas: 2`, one worker thread each), the proxy
 * taking them in turn; `--srv N` runs N (`--srv 1` is the chain the bench used before 2026-12-06).
 *
 * Same work per hop as the real path, minimally: the gateway turns GET /greeter/say/hello?name=John into a
 * JSON api request, the api worker parses it and POSTs {"name":"John"} through the proxy, the proxy forwards
 * the body, the srv worker answers {"msg":"Hello John"}; the answer comes back as {"message":"Hello John"}.
 * Prints `READY <gateway host:port>` on stdout; ends on SIGTERM/SIGINT or when stdin closes.
 *
 * `--unix` (Linux): the three inner hops on abstract Unix sockets instead of loopback TCP, as micro-dev runs
 * its own (services/kit/unix-socket.ts); the gateway still listens on TCP. A second anchor: what the same
 * chain gains from the transport alone.
 *
 * `--otel`: every thread traced by OpenTelemetry's own Node SDK (NodeTracerProvider: AsyncLocalStorage
 * context, W3C propagation, parent-based always-on sampling) and HTTP instrumentation, a SERVER span per
 * request served and a CLIENT span per request sent (7 spans per gateway request, as micro-dev records), each
 * ended span going through a BatchSpanProcessor to an exporter that drops it. What tracing the same hops
 * costs with the ecosystem's tracer instead of ours (bench/traces/tracing-overhead.ts).
 *
 *   node_modules/.bin/node bench/e2e/bare-chain.ts [--srv 2] [--unix] [--otel]
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Worker, isMainThread, parentPort, threadId, workerData } from 'node:worker_threads';

const unix = process.argv.includes('--unix') || (workerData as { unix?: boolean } | null)?.unix === true;
const otel = process.argv.includes('--otel') || (workerData as { otel?: boolean } | null)?.otel === true;
const srvFlag = process.argv.indexOf('--srv');
const srvWorkers = srvFlag > 0 ? Number(process.argv[srvFlag + 1]) : 2;
if (!Number.isInteger(srvWorkers) || srvWorkers < 1) throw new Error(`--srv must be a whole number >= 1 (got ${process.argv[srvFlag + 1]})`);

/**
 * This thread traced by OpenTelemetry's Node SDK and its HTTP instrumentation, spans exported nowhere. The
 * instrumentation patches node:http when it is required after it is registered: the module object is the
 * one `import http` gave, so the servers and requests below go through its wrappers.
 */
async function traceWithOpenTelemetry(): Promise<void> {
  const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { ExportResultCode } = await import('@opentelemetry/core');
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const drop = { export: (_spans: unknown[], done: (r: { code: number }) => void) => done({ code: ExportResultCode.SUCCESS }), shutdown: async () => {} };
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(drop)] });
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations: [new HttpInstrumentation()] });
  const patched = createRequire(import.meta.url)('node:http') as typeof http;
  if (patched !== http || !('__wrapped' in patched.request)) throw new Error('the OpenTelemetry HTTP instrumentation did not patch node:http');
}
if (otel) await traceWithOpenTelemetry();

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
/** Where an inner hop listens: a port, or (--unix) an abstract socket path. */
type Hop = number | string;

/** POSTs `body` to the hop and resolves with the answer's body. */
function post(hop: Hop, body: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { ...(typeof hop === 'string' ? { socketPath: hop } : { host: '127.0.0.1', port: hop }), method: 'POST', path: '/', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function readAll(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

let hops = 0;
function listen(handler: (req: http.IncomingMessage) => Promise<string>, inner = true): Promise<Hop> {
  const server = http.createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    handler(req).then(
      (body) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      },
      (e: Error) => {
        res.writeHead(500);
        res.end(e.message);
      },
    );
  });
  if (unix && inner) {
    const path = `\0bare-chain-${process.pid}-${threadId}-${++hops}`;
    return new Promise((resolve) => server.listen(path, () => resolve(path)));
  }
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function startWorker(data: { role: 'api' | 'srv'; next?: Hop }): Promise<Hop> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { ...data, unix, otel } });
  return new Promise((resolve, reject) => {
    worker.once('message', (hop: Hop) => resolve(hop));
    worker.once('error', reject);
  });
}

if (isMainThread) {
  const srv: Hop[] = [];
  for (let i = 0; i < srvWorkers; i++) srv.push(await startWorker({ role: 'srv' }));
  let turn = 0;
  const proxy = await listen(async (req) => (await post(srv[turn++ % srv.length]!, await readAll(req))).toString('utf8'));
  const api = await startWorker({ role: 'api', next: proxy });
  const gateway = await listen(async (req) => {
    await readAll(req);
    const url = new URL(req.url ?? '/', 'http://x');
    const name = url.searchParams.get('name') ?? '';
    const request = JSON.stringify({ method: req.method, path: url.pathname, header: {}, get: { name: { key: 'name', values: [name] } }, url: req.url });
    const answer = JSON.parse((await post(api, request)).toString('utf8')) as { body: string };
    return answer.body;
  }, false);
  process.stdout.write(`READY 127.0.0.1:${gateway}\n`);
  const end = () => process.exit(0);
  process.on('SIGTERM', end);
  process.on('SIGINT', end);
  process.stdin.on('end', end).on('close', end).resume();
} else {
  const { role, next } = workerData as { role: 'api' | 'srv'; next?: Hop };
  const port =
    role === 'srv'
      ? await listen(async (req) => {
          const { name } = JSON.parse(await readAll(req)) as { name?: string };
          return JSON.stringify({ msg: `Hello ${name ?? ''}` });
        })
      : await listen(async (req) => {
          const { get } = JSON.parse(await readAll(req)) as { get?: { name?: { values?: string[] } } };
          const rsp = JSON.parse((await post(next!, JSON.stringify({ name: (get?.name?.values ?? []).join(' ') }))).toString('utf8')) as { msg: string };
          return JSON.stringify({ statusCode: 200, body: JSON.stringify({ message: rsp.msg }) });
        });
  parentPort!.postMessage(port);
}
