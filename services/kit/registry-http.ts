/**
 * One HTTP call to a registry for the Eureka and Nacos clients: pooled keep-alive connections, a timeout,
 * and errors as RegistryRequestError naming the call, the address and the status/body.
 */
import { HttpPool, type HttpPoolOptions } from './http-pool.ts';
import { RegistryRequestError } from './registry-client.ts';

export class RegistryHttp {
  readonly address: string;
  readonly #origin: string;
  readonly #pool: HttpPool;

  constructor(address: string, connect?: HttpPoolOptions['connect']) {
    this.#pool = new HttpPool({ keepAliveMs: 10_000, connectTimeoutMs: 5_000, ...(connect ? { connect } : {}) });
    this.address = address;
    this.#origin = `http://${address}`;
  }

  /** Resolves with status and body for any status in `ok`; rejects otherwise. */
  async call(
    op: string,
    method: string,
    path: string,
    opts: { body?: string; headers?: Record<string, string>; ok?: number[]; signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<{ status: number; text: string }> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let res;
    try {
      res = await this.#pool.request({ origin: this.#origin, path, method, headers: opts.headers, body: opts.body, signal });
    } catch (e) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? e;
      const why = timeout.aborted ? `no answer within ${timeoutMs}ms` : (e as Error).message;
      throw new RegistryRequestError(`registry ${op} ${method} ${path} at ${this.address} failed: ${why}`, 0, { cause: e });
    }
    const text = res.body.toString('utf8');
    if (!(opts.ok ?? [200]).includes(res.statusCode)) {
      throw new RegistryRequestError(`registry ${op} ${method} ${path} at ${this.address} failed: ${res.statusCode} ${text.trim()}`, res.statusCode);
    }
    return { status: res.statusCode, text };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
