/**
 * The Toxiproxy-compatible admin API over a FaultPlane: same routes, JSON shapes, status codes and error
 * messages as Shopify/toxiproxy's api.go, so its clients (toxiproxy-node-client, testcontainers, toxiproxy-cli)
 * drive micro-dev links unchanged. A proxy created here is a Link.
 *
 *   client --HTTP--> route table --> FaultPlane (links, toxics) --> JSON {name, listen, upstream, enabled, toxics}
 *                       '-- AdminError (closed catalogue, status inside) --> {"error": "...", "status": N}
 *
 * Differences: `down` is accepted as a toxic type (a blackhole); proxies listen on 127.0.0.1 unless told.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminErrors, toAdminError, writeAdminError, writeText } from './admin-error.ts';
import type { FaultPlane } from './fault-plane.ts';
import type { Link } from './link.ts';
import { parseAddress } from './link.ts';
import type { ToxicSpec, ToxicView } from './toxic-catalogue.ts';
import { isToxicType, normalizeToxic, ToxicSpecError } from './toxic-catalogue.ts';

/** Reported by GET /version (the Toxiproxy API level we follow). */
export const TOXIPROXY_API_VERSION = '2.12.0';

export interface StartedFaultAdmin {
  /** http://host:port */
  url: string;
  address: string;
  port: number;
  /** Stops listening and closes open API connections; links stay (the plane owns them). */
  stop(): Promise<void>;
}

type Reply = { status: number; body?: unknown };
type Handler = (plane: FaultPlane, params: string[], body: () => Promise<unknown>) => Promise<Reply> | Reply;

const routes: { path: RegExp; methods: Record<string, Handler> }[] = [
  { path: /^\/reset$/, methods: { POST: resetState } },
  { path: /^\/proxies$/, methods: { GET: proxyIndex, POST: proxyCreate } },
  { path: /^\/populate$/, methods: { POST: populate } },
  { path: /^\/proxies\/([^/]+)$/, methods: { GET: proxyShow, POST: proxyUpdate, PATCH: proxyUpdate, DELETE: proxyDelete } },
  { path: /^\/proxies\/([^/]+)\/toxics$/, methods: { GET: toxicIndex, POST: toxicCreate } },
  {
    path: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
    methods: { GET: toxicShow, POST: toxicUpdate, PATCH: toxicUpdate, DELETE: toxicDelete },
  },
];

/** Listens on listen.host:listen.port (0 = free port); resolves once listening. Caller stops it. */
export async function startFaultAdmin(plane: FaultPlane, listen: { host: string; port: number }): Promise<StartedFaultAdmin> {
  const server = http.createServer((req, res) => void handle(plane, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    address,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(plane: FaultPlane, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) return writeText(res, 403, 'User agent not allowed');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/version' && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'application/json;charset=utf-8' });
      return void res.end(`{"version": "${TOXIPROXY_API_VERSION}"}\n`);
    }
    const route = routes.find((r) => r.path.test(path));
    if (!route) return writeText(res, 404, '404 page not found');
    const handler = route.methods[req.method ?? ''];
    if (!handler) return void res.writeHead(405).end();
    const params = route.path.exec(path)!.slice(1).map(decodeURIComponent);
    const reply = await handler(plane, params, () => readJson(req));
    if (reply.body === undefined) return void res.writeHead(reply.status).end();
    res.writeHead(reply.status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(reply.body));
  } catch (error) {
    writeAdminError(res, toAdminError(error));
  }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  // Go's decoder reports an empty body as EOF.
  if (text.trim() === '') throw AdminErrors.badRequestBody.with('EOF');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw AdminErrors.badRequestBody.with((e as Error).message);
  }
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw AdminErrors.badRequestBody.with(`json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into ${what}`);
  }
  return value as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw AdminErrors.badRequestBody.with(`json: field ${key} must be a string`);
  return value;
}

function toxicJson(t: ToxicView) {
  return { attributes: t.attributes, name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity };
}

function proxyJson(link: Link) {
  return { name: link.name, listen: link.listen, upstream: link.upstream, enabled: link.enabled, toxics: link.toxics().map(toxicJson) };
}

function getLink(plane: FaultPlane, name: string): Link {
  const link = plane.link(name);
  if (!link) throw AdminErrors.proxyNotFound;
  return link;
}

async function resetState(plane: FaultPlane): Promise<Reply> {
  await plane.reset();
  return { status: 204 };
}

function proxyIndex(plane: FaultPlane): Reply {
  return { status: 200, body: Object.fromEntries(plane.links().map((l) => [l.name, proxyJson(l)])) };
}

interface ProxyInput {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

function proxyInput(raw: unknown, at?: number): ProxyInput {
  const body = object(raw, 'Go value of type toxiproxy.Proxy');
  const suffix = at === undefined ? '' : ` at proxy ${at}`;
  const name = stringField(body, 'name');
  if (!name) throw AdminErrors.missingField.with(`name${suffix}`);
  const upstream = stringField(body, 'upstream');
  if (!upstream) throw AdminErrors.missingField.with(`upstream${suffix}`);
  const enabled = body.enabled ?? true;
  if (typeof enabled !== 'boolean') throw AdminErrors.badRequestBody.with('json: field enabled must be a boolean');
  return { name, upstream, enabled, listen: stringField(body, 'listen') || '127.0.0.1:0' };
}

async function createLink(plane: FaultPlane, input: ProxyInput): Promise<Link> {
  const listen = parseAddress(input.listen, `listen of proxy ${input.name}`);
  const link = await plane.createLink({ name: input.name, upstream: input.upstream, listen });
  if (!input.enabled) await plane.setEnabled(input.name, false);
  return link;
}

async function proxyCreate(plane: FaultPlane, _params: string[], body: () => Promise<unknown>): Promise<Reply> {
  const input = proxyInput(await body());
  if (plane.link(input.name)) throw AdminErrors.proxyAlreadyExists;
  return { status: 201, body: proxyJson(await createLink(plane, input)) };
}

async function populate(plane: FaultPlane, _params: string[], body: () => Promise<unknown>): Promise<Reply> {
  const links: Link[] = [];
  try {
    const raw = await body();
    if (!Array.isArray(raw)) throw AdminErrors.badRequestBody.with('json: cannot unmarshal object into Go value of type []struct');
    // Validate everything before touching any link, as Toxiproxy's two-phase PopulateJson does.
    const inputs = raw.map((entry, i) => proxyInput(entry, i + 1));
    const seen = new Set<string>();
    for (const input of inputs) {
      if (seen.has(input.name)) throw new Error(`duplicate proxy name "${input.name}"`);
      seen.add(input.name);
      if (input.enabled) parseAddress(input.listen, `listen of proxy ${input.name}`);
    }
    for (const input of inputs) {
      const existing = plane.link(input.name);
      if (existing && existing.listen === input.listen && existing.upstream === input.upstream) {
        links.push(existing);
        continue;
      }
      if (existing) await plane.removeLink(input.name);
      links.push(await createLink(plane, input));
    }
    return { status: 201, body: { proxies: links.map(proxyJson) } };
  } catch (error) {
    const e = toAdminError(error);
    return { status: e.status, body: { error: e.message, status: e.status, proxies: null } };
  }
}

function proxyShow(plane: FaultPlane, [name]: string[]): Reply {
  return { status: 200, body: proxyJson(getLink(plane, name!)) };
}

async function proxyUpdate(plane: FaultPlane, [name]: string[], body: () => Promise<unknown>): Promise<Reply> {
  const link = getLink(plane, name!);
  const input = object(await body(), 'Go value of type toxiproxy.Proxy');
  const listen = stringField(input, 'listen') ?? link.listen;
  const upstream = stringField(input, 'upstream') ?? link.upstream;
  const enabled = input.enabled ?? link.enabled;
  if (typeof enabled !== 'boolean') throw AdminErrors.badRequestBody.with('json: field enabled must be a boolean');
  // Toxiproxy restarts a proxy whose listen or upstream changes, dropping its connections.
  if (upstream !== link.upstream) {
    link.setUpstream(upstream);
    link.closeConnections();
  }
  if (listen !== link.listen) {
    const { host, port } = parseAddress(listen, `listen of proxy ${link.name}`);
    await link.setListen(host, port);
  }
  await plane.setEnabled(link.name, enabled);
  return { status: 200, body: proxyJson(link) };
}

async function proxyDelete(plane: FaultPlane, [name]: string[]): Promise<Reply> {
  getLink(plane, name!);
  await plane.removeLink(name!);
  return { status: 204 };
}

function toxicIndex(plane: FaultPlane, [name]: string[]): Reply {
  return { status: 200, body: getLink(plane, name!).toxics().map(toxicJson) };
}

async function toxicCreate(plane: FaultPlane, [name]: string[], body: () => Promise<unknown>): Promise<Reply> {
  const link = getLink(plane, name!);
  const input = object(await body(), 'Go value of type toxics.ToxicWrapper');
  // Toxiproxy checks in this order: stream, then type, then name clash, then attributes.
  const stream = input.stream ?? 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream') throw AdminErrors.invalidStream;
  if (!isToxicType(input.type)) throw AdminErrors.invalidToxicType;
  let view: ToxicView;
  try {
    view = normalizeToxic(input);
  } catch (e) {
    throw e instanceof ToxicSpecError ? AdminErrors.badRequestBody.with(e.message) : e;
  }
  if (link.toxics().some((t) => t.name === view.name)) throw AdminErrors.toxicAlreadyExists;
  const added = plane.addToxic(link.name, view as ToxicSpec);
  return { status: 200, body: toxicJson(added) };
}

function findToxic(plane: FaultPlane, linkName: string, toxicName: string): ToxicView {
  const toxic = getLink(plane, linkName).toxics().find((t) => t.name === toxicName);
  if (!toxic) throw AdminErrors.toxicNotFound;
  return toxic;
}

function toxicShow(plane: FaultPlane, [name, toxic]: string[]): Reply {
  return { status: 200, body: toxicJson(findToxic(plane, name!, toxic!)) };
}

async function toxicUpdate(plane: FaultPlane, [name, toxic]: string[], body: () => Promise<unknown>): Promise<Reply> {
  findToxic(plane, name!, toxic!);
  const input = object(await body(), 'Go value of type toxics.ToxicWrapper');
  const attributes = input.attributes === undefined || input.attributes === null ? {} : object(input.attributes, 'attributes');
  if (input.toxicity !== undefined && typeof input.toxicity !== 'number') {
    throw AdminErrors.badRequestBody.with('json: field toxicity must be a number');
  }
  try {
    return { status: 200, body: toxicJson(plane.updateToxic(name!, toxic!, { attributes, toxicity: input.toxicity as number | undefined })) };
  } catch (e) {
    throw e instanceof Error && e.cause instanceof ToxicSpecError ? AdminErrors.badRequestBody.with(e.cause.message) : e;
  }
}

function toxicDelete(plane: FaultPlane, [name, toxic]: string[]): Reply {
  findToxic(plane, name!, toxic!);
  plane.removeToxic(name!, toxic!);
  return { status: 204 };
}
