/**
 * Test harness for the gateway suites: a real embedded registry, greeter services as real worker threads,
 * and helpers that wait for conditions with a deadline (no fixed sleeps). Everything started here is
 * stopped by stop().
 */
import { Worker } from 'node:worker_threads';
import { request } from 'undici';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import type { GatewayConfig } from '../../runner/config/topology.ts';
import { TOPOLOGY_DEFAULTS } from '../../runner/config/apply-defaults.ts';

export const root = new URL('../../', import.meta.url);

export interface Stack {
  registry: StartedRegistry;
  /** Starts a service module (path from the repo root) as a worker thread. */
  startWorker(module: string, env?: Record<string, string>): Worker;
  stopWorker(w: Worker): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const registry = await startRegistry({ host: '127.0.0.1', port: 0 });
  const workers = new Set<Worker>();
  const stopWorker = async (w: Worker): Promise<void> => {
    if (!workers.delete(w)) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage({ type: 'stop' });
    const timer = setTimeout(() => void w.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    registry,
    startWorker(module, env = {}) {
      const w = new Worker(new URL(module, root), {
        env: { ...process.env, MICRO_REGISTRY: 'consul', MICRO_REGISTRY_ADDRESS: registry.address, MICRO_SERVER_ADDRESS: '127.0.0.1:0', ...env },
        stdout: true,
        stderr: true,
      });
      w.stdout.resume();
      w.stderr.resume();
      w.on('error', () => undefined);
      w.once('exit', () => workers.delete(w));
      workers.add(w);
      return w;
    },
    stopWorker,
    async stop() {
      await Promise.all([...workers].map(stopWorker));
      await registry.stop();
    },
  };
}

/** Polls fn until it returns a truthy value or deadlineMs passes (then throws naming `what`). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, deadlineMs = 15_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  for (let delay = 20; Date.now() < end; delay = Math.min(delay * 2, 200)) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, delay));
  }
  throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Waits until `service` has at least `count` passing nodes in the registry; returns their addresses. */
export function waitForNodes(registryAddress: string, service: string, count = 1): Promise<string[]> {
  return waitFor(`${count} passing node(s) of ${service}`, async () => {
    const res = await request(`http://${registryAddress}/v1/health/service/${service}?passing=1`);
    const entries = (await res.body.json()) as { Service: { Address: string; Port: number } }[];
    return entries.length >= count ? entries.map((e) => `${e.Service.Address}:${e.Service.Port}`) : undefined;
  });
}

/** The config defaults on a free port, with the greeter example's `api` handler; `over` wins. */
export function gatewayConfig(over: Partial<GatewayConfig> = {}): GatewayConfig {
  const defaults = TOPOLOGY_DEFAULTS.gateway;
  return { ...defaults, hosts: [...defaults.hosts], handler: 'api', port: 0, ...over } as GatewayConfig;
}

export async function http(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}) {
  const res = await request(url, { method: (init.method ?? 'GET') as 'GET', headers: init.headers ?? {}, body: init.body ?? null });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}
