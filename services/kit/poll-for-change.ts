/**
 * Blocking-read emulation for registries without one (Eureka, Nacos): `index` is a per-service counter that
 * moves when the fetched answer changes. With `options.index` equal to the current counter, polls every
 * `pollMs` until the answer differs or `waitMs` passes.
 */
import type { GetServiceOptions } from './registry-client.ts';
import type { ServiceInfo } from './types.ts';

export class ChangePoller {
  readonly #seen = new Map<string, { fingerprint: string; index: number }>();
  readonly #pollMs: number;

  constructor(pollMs = 1000) {
    this.#pollMs = pollMs;
  }

  async get(name: string, fetch: () => Promise<ServiceInfo[]>, options: GetServiceOptions = {}): Promise<{ services: ServiceInfo[]; index: number }> {
    const deadline = Date.now() + (options.waitMs ?? 300_000);
    for (;;) {
      const services = await fetch();
      const fingerprint = JSON.stringify(services);
      let seen = this.#seen.get(name);
      if (!seen) this.#seen.set(name, (seen = { fingerprint, index: 1 }));
      else if (seen.fingerprint !== fingerprint) seen = { fingerprint, index: seen.index + 1 };
      this.#seen.set(name, seen);
      if (!options.index || options.index !== seen.index || Date.now() >= deadline) return { services, index: seen.index };
      await sleep(Math.min(this.#pollMs, Math.max(0, deadline - Date.now())), options.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
