/**
 * The go-micro v1 rpc client over the HTTP transport (micro-api.md §6.1), JSON codec.
 *
 *   call(svc, ep, body) ──> node: options.address | proxyAddress | selector(cache.get(svc))
 *        ──> POST http://<node>/  Micro-Service/Endpoint/Method/Id, Timeout(ns), Content-Type, Accept
 *        <── 200 + body | 200 + Micro-Error header | transport error
 *   retry (default 1, none through a proxy) on connection error, 408, 500 within one overall deadline;
 *   a refused connection ejects the node so the retry (and later calls) go elsewhere; so does a fresh
 *   connection closed or reset before any answer (a link or proxy in front of a dead instance).
 *
 * Every failure is a MicroError with go-micro's ids and texts. Connections are kept alive in one
 * HttpPool; close() releases them and whatever the client created itself (registry client, cache).
 */
import { HttpPool, type HttpPoolOptions, type PoolResponse } from './http-pool.ts';
import type { AttemptTrace, CallTracer, Selection } from './call-tracer.ts';
import { MicroError } from './errors.ts';
import { boundedMemo } from './bounded-memo.ts';
import { goJsonLine } from './go-json.ts';
import { createKitRegistry, type KitRegistry, type RegistryKind } from './kit-registry.ts';
import { NodeCache } from './node-cache.ts';
import { Selector } from './selector.ts';
import { traceHeaders, traceparentOf } from './trace-context.ts';
import type { RegistryNode } from './types.ts';

export interface ClientOptions {
  /** Registry address (host:port) to discover nodes through; ignored when `cache` is given. */
  registryAddress?: string;
  /** What speaks at registryAddress (default consul). */
  registry?: RegistryKind;
  /** ACL token for that registry. */
  registryToken?: string;
  /** Send every call to this mucp proxy (host:port) naming the original service; disables retries. */
  proxyAddress?: string;
  cache?: NodeCache;
  selector?: Selector;
  /** Overall deadline per call, retries included (default 5000 ms, go-micro's). */
  timeoutMs?: number;
  /** Extra attempts after the first (default 1, go-micro's). */
  retries?: number;
  /** Records each call, its node selections and retries (micro-dev's gateway and proxy); none by default. */
  tracer?: CallTracer;
  /** Opens connections to nodes other than by TCP where it can (HttpPoolOptions.connect); TCP by default. */
  connect?: HttpPoolOptions['connect'];
}

export interface CallOptions {
  timeoutMs?: number;
  /** Extra request headers (go-micro context metadata); the Micro-* headers always win. */
  headers?: Record<string, string>;
  /** Call this host:port directly instead of selecting a node. */
  address?: string;
  /** Select only among nodes of this version (go-micro's selector.FilterVersion). */
  version?: string;
  signal?: AbortSignal;
}

export interface RawCallOptions extends CallOptions {
  contentType: string;
}

export interface RawResponse {
  body: Buffer;
  /** Response headers, lower-cased names. */
  headers: Record<string, string>;
}

const CLIENT_ID = 'go.micro.client';

/** Timeouts of attempts that used up their call's deadline (the pool's timer, not a 408 from the node). */
const ranOutOfTime = new WeakSet<MicroError>();

export class Client {
  readonly #pool: HttpPool;
  readonly #proxyAddress: string | undefined;
  readonly #cache: NodeCache | undefined;
  readonly #ownedCache: NodeCache | undefined;
  readonly #ownedRegistry: KitRegistry | undefined;
  readonly selector: Selector;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #tracer: CallTracer | undefined;
  #nextId = 0;

  constructor(options: ClientOptions = {}) {
    this.#pool = new HttpPool({ keepAliveMs: 4_000, connectTimeoutMs: 5_000, ...(options.connect ? { connect: options.connect } : {}) });
    this.#proxyAddress = options.proxyAddress || undefined;
    if (options.cache) this.#cache = options.cache;
    else if (options.registryAddress) {
      this.#ownedRegistry = createKitRegistry(options.registry ?? 'consul', options.registryAddress, {
        ...(options.registryToken ? { token: options.registryToken } : {}),
        ...(options.connect ? { connect: options.connect } : {}),
      });
      this.#cache = this.#ownedCache = new NodeCache(this.#ownedRegistry);
    }
    this.selector = options.selector ?? new Selector({ strategy: 'random' });
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#retries = options.retries ?? 1;
    this.#tracer = options.tracer;
  }

  /** JSON call: `body` is encoded as Go's json.Encoder would; the reply is JSON-decoded (empty -> null). */
  async call<T = unknown>(service: string, endpoint: string, body: unknown, options: CallOptions = {}): Promise<T> {
    // the JSON text as it is: node:http sends a string body in one write with the head, a Buffer as a second chunk
    const res = await this.callRaw(service, endpoint, goJsonLine(body ?? {}), {
      ...options,
      contentType: 'application/json',
    });
    const text = res.body.toString('utf8').trim();
    if (text === '') return null as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new MicroError(CLIENT_ID, 500, `error decoding response: ${(e as Error).message}`, undefined, { cause: e });
    }
  }

  /** Bytes in (or text, sent as UTF-8), bytes out, any content type (the gateway forwards bodies this way). */
  callRaw(service: string, endpoint: string, body: Buffer | string, options: RawCallOptions): Promise<RawResponse> {
    // not async itself: the attempts' promise is the call's (an async wrapper costs a promise and two ticks)
    return this.#attempts(service, endpoint, body, options);
  }

  /** The call's attempts, each on a node the selector picks; traced, the call's trace ends with the outcome. */
  async #attempts(service: string, endpoint: string, body: Buffer | string, options: RawCallOptions): Promise<RawResponse> {
    // in here, not in callRaw: a tracer that throws rejects the call instead of throwing from callRaw
    const trace = this.#tracer?.call(service, endpoint, this.#parentTrace(options.headers));
    try {
      const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
      const deadline = Date.now() + timeoutMs;
      const viaProxy = !options.address && this.#proxyAddress !== undefined;
      const attempts = 1 + (viaProxy ? 0 : Math.max(0, this.#retries));
      const tried = new Set<string>();
      let last: MicroError | undefined;
      for (let i = 0; i < attempts; i++) {
        if (options.signal?.aborted) throw options.signal.reason;
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        let node: RegistryNode;
        let selection: Selection | undefined;
        try {
          [node, selection] = await this.#pick(service, options, viaProxy, tried, trace !== undefined);
        } catch (e) {
          last = MicroError.from(e);
          trace?.selectionFailed(last);
          if (!retryable(last)) throw last;
          continue;
        }
        tried.add(node.id);
        const attempt = trace?.attempt(node, selection);
        try {
          const res = await this.#send(node, service, endpoint, body, options, remaining, attempt);
          attempt?.end();
          trace?.end();
          return res;
        } catch (e) {
          if (options.signal?.aborted) {
            attempt?.end(MicroError.from(options.signal.reason));
            throw options.signal.reason;
          }
          last = MicroError.from(e);
          attempt?.end(last);
          if (!retryable(last)) throw last;
          // The attempt had all the time the call had left: when it ran out, so did the call's, whatever
          // Date.now() says. (A timer fires up to a millisecond before Date.now() reaches its deadline, and a
          // retry with the 1 ms left only failed again, charging a healthy node with a timeout.)
          if (ranOutOfTime.has(last)) break;
        } finally {
          this.selector.end(node);
        }
      }
      if (last && last.code !== 408) throw last;
      throw MicroError.timeout(CLIENT_ID, 'call timeout: context deadline exceeded');
    } catch (e) {
      trace?.end(e instanceof MicroError ? e : MicroError.from(e));
      throw e;
    }
  }

  /** The trace a call continues: a traceparent the caller set, else the one of the request being handled. */
  #parentTrace(headers: Record<string, string> | undefined): { traceparent?: string; tracestate?: string } {
    const own = traceparentOf(headers);
    if (own !== undefined) return { traceparent: own, ...(headers?.['tracestate'] ?? headers?.['Tracestate'] ? { tracestate: headers['tracestate'] ?? headers['Tracestate'] } : {}) };
    return traceHeaders() ?? {};
  }

  /** Releases pooled connections and the cache/registry client this client created itself. */
  async close(): Promise<void> {
    this.#ownedCache?.close();
    await Promise.allSettled([this.#pool.close(), this.#ownedRegistry?.close()]);
  }

  /**
   * The node for one attempt, already counted as outstanding (selector.begin): counting right after the
   * synchronous select() means concurrent calls see each other under least_outstanding. The caller ends it.
   */
  async #pick(service: string, options: CallOptions, viaProxy: boolean, tried: Set<string>, traced: boolean): Promise<[RegistryNode, Selection | undefined]> {
    const begun = (node: RegistryNode, selection?: Selection): [RegistryNode, Selection | undefined] => {
      this.selector.begin(node);
      return [node, selection];
    };
    if (options.address) return begun({ id: options.address, address: options.address, metadata: {} });
    if (viaProxy) return begun({ id: `proxy:${this.#proxyAddress}`, address: this.#proxyAddress!, metadata: {} });
    if (!this.#cache) {
      throw MicroError.internal(CLIENT_ID, `error selecting ${service} node: no registry configured`);
    }
    let services;
    try {
      services = await this.#cache.get(service, options.signal);
    } catch (e) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw MicroError.internal(CLIENT_ID, `error selecting ${service} node: ${(e as Error).message}`);
    }
    if (services.length === 0) throw MicroError.internal(CLIENT_ID, `error selecting ${service} node: not found`);
    // go-micro's registry selector: filters run on what the registry returned, and an empty result is
    // ErrNoneAvailable (a registered service whose every version was filtered out), not ErrNotFound.
    if (options.version !== undefined) services = services.filter((s) => s.version === options.version);
    if (services.length === 0) throw MicroError.internal(CLIENT_ID, `error selecting ${service} node: none available`);
    // A thousand replicas: no copy or scan per call when nothing is to be left out.
    const nodes = services.length === 1 ? services[0]!.nodes : services.flatMap((s) => s.nodes);
    const fresh = tried.size === 0 ? nodes : nodes.filter((n) => !tried.has(n.id));
    const pool = fresh.length > 0 ? fresh : nodes;
    const node = this.selector.select(service, pool);
    if (!node) throw MicroError.internal(CLIENT_ID, `error selecting ${service} node: none available`);
    if (!traced) return begun(node);
    const ejected = this.selector.anyEjected() ? pool.filter((n) => this.selector.isEjected(n)).map((n) => n.id) : [];
    return begun(node, { candidates: pool.length, ejected, tried: [...tried] });
  }

  async #send(
    node: RegistryNode,
    service: string,
    endpoint: string,
    body: Buffer | string,
    options: RawCallOptions,
    remainingMs: number,
    traced: AttemptTrace | undefined,
  ): Promise<RawResponse> {
    const id = String(this.#nextId++);
    // The head as name/value pairs, each name once whatever its case (node:http writes an array as it is;
    // an object costs a setHeader and a [name, value] array per header): the caller's metadata, then ours.
    let traceparent: string | undefined;
    let tracestate: string | undefined;
    if (traced) {
      // The attempt's own context replaces the caller's.
      traceparent = traced.traceparent;
      tracestate = traced.tracestate;
    } else if (traceparentOf(options.headers) === undefined) {
      const forwarded = traceHeaders();
      traceparent = forwarded?.traceparent;
      tracestate = forwarded?.tracestate;
    }
    const headers: string[] = [];
    let traceKey = 'traceparent';
    let stateKey = 'tracestate';
    const caller = options.headers;
    if (caller !== undefined) {
      for (const k in caller) {
        const lower = lowerCase(k);
        if (OWN_HEADERS.has(lower)) continue;
        if (traceparent !== undefined && lower === 'traceparent') traceKey = k;
        else if (traceparent !== undefined && lower === 'tracestate') stateKey = k;
        else headers.push(k, caller[k]!);
      }
    }
    if (traceparent !== undefined) headers.push(traceKey, traceparent);
    if (tracestate !== undefined) headers.push(stateKey, tracestate);
    headers.push(
      'Timeout', String(Math.max(1, Math.round(remainingMs)) * 1_000_000),
      'Content-Type', options.contentType,
      'Accept', options.contentType,
      'Micro-Id', id,
      'Micro-Service', service,
      'Micro-Method', endpoint,
      'Micro-Endpoint', endpoint,
    );
    // The attempt's deadline is the pool's timer (one per request, cleared when the answer is read), the
    // caller's signal goes to the pool as it is: AbortSignal.timeout() would keep a timer and the signal
    // alive for the whole deadline and fire (building a DOMException with a stack) seconds after every call
    // that already finished, AbortSignal.any() links stay with the caller's signal until GC, and a
    // controller of our own per attempt was the kit client's largest allocation (issue 13).
    let res;
    try {
      res = await this.#pool.request({ origin: `http://${node.address}`, path: '/', method: 'POST', headers, body, signal: options.signal, timeoutMs: Math.max(1, remainingMs) });
    } catch (e) {
      throw this.#transportError(e, node, (e as { deadlineExceeded?: boolean } | null)?.deadlineExceeded === true);
    }
    if (res.statusCode !== 200) {
      const text = `${res.statusCode} ${res.statusText}`.trim();
      throw MicroError.internal(`${CLIENT_ID}.transport`, `${text}: ${res.body.toString('utf8')}`);
    }
    const microError = microErrorHeader(res.rawHeaders);
    if (microError) throw MicroError.parse(Buffer.from(microError, 'latin1').toString('utf8'));
    return new KitResponse(res);
  }

  #transportError(e: unknown, node: RegistryNode, timedOut: boolean): MicroError {
    if (timedOut) {
      const error = MicroError.timeout(CLIENT_ID, 'call timeout: context deadline exceeded');
      ranOutOfTime.add(error);
      return error;
    }
    const code = (e as { code?: string }).code;
    if (code === 'ECONNREFUSED') {
      this.selector.eject(node);
      return MicroError.internal(CLIENT_ID, `connection error: dial tcp ${node.address}: connect: connection refused`);
    }
    // Accepted, then closed or reset before any answer on a connection of its own: a proxy in front of a
    // dead instance (a fault-plane link, like Toxiproxy, accepts and then closes), or a server that died
    // with the request. Ejected like a refusal, so the retry and the next calls go elsewhere.
    if ((e as { closedUnanswered?: boolean }).closedUnanswered) this.selector.eject(node);
    return MicroError.internal(CLIENT_ID, `connection error: ${(e as Error).message ?? String(e)}`);
  }
}

/** Headers the client sets on every call, lower-cased: a caller's header of the same name gives way. */
/**
 * An answer's `Micro-Error`, read from the head as received: whatever its case, several joined with ', ' as
 * node:http's header record joins them; '' when there is none.
 */
function microErrorHeader(raw: readonly string[]): string {
  let value = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 11 && name.toLowerCase() === 'micro-error') value = value === '' ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
  }
  return value;
}

/**
 * A call's answer. Its header record is made when first read: the gateway, the proxy and a handler's
 * `call` never read it, and node:http builds one only when asked (issue 13: the largest part of reading an
 * answer's 15-20 headers on micro-dev's main thread was building records nobody read).
 */
class KitResponse implements RawResponse {
  readonly body: Buffer;
  readonly #answer: PoolResponse;
  #headers: Record<string, string> | undefined;

  constructor(answer: PoolResponse) {
    this.body = answer.body;
    this.#answer = answer;
  }

  get headers(): Record<string, string> {
    if (this.#headers === undefined) {
      const out: Record<string, string> = {};
      const answered = this.#answer.headers;
      for (const k in answered) {
        const v = answered[k];
        if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
      }
      this.#headers = out;
    }
    return this.#headers;
  }
}

const OWN_HEADERS = new Set(['timeout', 'content-type', 'accept', 'micro-id', 'micro-service', 'micro-method', 'micro-endpoint', 'host', 'content-length']);
/** name.toLowerCase(), remembered: metadata names repeat from call to call. */
const lowerCase = boundedMemo((name: string) => name.toLowerCase());

/** go-micro's RetryOnError: 408 and 500 (connection errors are 500 too). */
function retryable(e: MicroError): boolean {
  return e.code === 408 || e.code === 500;
}
