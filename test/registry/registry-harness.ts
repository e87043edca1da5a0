import Consul from 'consul';
import type { RegistryConfig } from '../../runner/config/topology.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import type { Clock } from '../../runner/clock/clock.ts';

/**
 * The registry under test: our embedded one, or a real Consul when CONSUL_HTTP_ADDR is set (then `embedded`
 * is false and tests that need our extensions or a fake clock skip themselves).
 */
export interface RegistryUnderTest {
  url: string;
  host: string;
  port: number;
  consul: Consul;
  embedded?: StartedRegistry;
  stop(): Promise<void>;
}

export const realConsulAddress = process.env.CONSUL_HTTP_ADDR?.replace(/^https?:\/\//, '');

export async function registryUnderTest(
  config: Partial<RegistryConfig> = {},
  options: { clock?: Clock; forceEmbedded?: boolean } = {},
): Promise<RegistryUnderTest> {
  if (realConsulAddress && !options.forceEmbedded) {
    const [host, port] = realConsulAddress.split(':');
    return {
      url: `http://${realConsulAddress}`,
      host,
      port: Number(port),
      consul: new Consul({ host, port: Number(port) }),
      stop: async () => {},
    };
  }
  const embedded = await startRegistry({ host: '127.0.0.1', port: 0, ...config }, options);
  const port = Number(embedded.address.split(':')[1]);
  return {
    url: embedded.url,
    host: '127.0.0.1',
    port,
    consul: new Consul({ host: '127.0.0.1', port }),
    embedded,
    stop: () => embedded.stop(),
  };
}

/** Polls `probe` until it returns a truthy value or the deadline passes (no fixed sleeps). */
export async function eventually<T>(probe: () => Promise<T> | T, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs}ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Raw HTTP helper returning status, headers and body text. */
export async function http(
  url: string,
  method = 'GET',
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: Headers; json(): unknown }> {
  const res = await fetch(url, { method, body, headers });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) };
}
