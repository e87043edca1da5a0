/**
 * Shared parts of the container tests: the Docker gate (skip, or fail under MICRO_DEV_REQUIRE_DOCKER=1),
 * a ServiceConfig for the beacon fixture, a host-side beat counter, and a bounded waitFor.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { ServiceConfig } from '../../runner/config/topology.ts';
import { dockerAvailable, dockerEndpoint } from '../../runner/runtimes/container/docker-client.ts';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export interface DockerGate {
  /** Run the Docker tests. */
  run: boolean;
  /** Docker is required but missing: the suite must fail with `reason`. */
  mustFail: boolean;
  reason: string;
}

export async function dockerGate(): Promise<DockerGate> {
  const available = await dockerAvailable(3000);
  const required = process.env.MICRO_DEV_REQUIRE_DOCKER === '1';
  const reason = `no Docker engine answered at ${dockerEndpoint()} within 3000ms (start one with: bash scripts/docker/ensure-docker.sh)`;
  if (!available && !required) {
    console.warn(`container tests skipped: ${reason}; set MICRO_DEV_REQUIRE_DOCKER=1 to make this a failure`);
  }
  return { run: available, mustFail: !available && required, reason };
}

export function beaconService(overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    name: 'beacon-srv',
    tier: 'srv',
    runtime: 'container',
    module: join(FIXTURES, 'beacon-service.ts'),
    cwd: FIXTURES,
    env: {},
    replicas: 1,
    port: 0,
    dependsOn: [],
    readiness: { kind: 'log', pattern: 'listening', timeoutMs: 20_000 },
    restart: { policy: 'no', maxRestarts: 0, backoffMs: 100, backoffMaxMs: 1000 },
    stopTimeoutMs: 5000,
    container: { reach: 'published' },
    ...overrides,
  };
}

/** Counts GET /beat?id=X from containers (reached through the runtime's host relay). */
export class BeatCounter {
  readonly counts = new Map<string, number>();
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '?';
      this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
      res.end('ok');
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }

  count(id: string): number {
    return this.counts.get(id) ?? 0;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** Polls `check` every 50 ms until it returns truthy; throws naming `what` and the deadline. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

export async function waitFor<T>(what: string, check: () => T | Promise<T>, deadlineMs = 15_000): Promise<Truthy<T>> {
  const until = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`${what} not true after ${deadlineMs}ms${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET that fails fast (timeoutMs) instead of hanging on a partitioned or paused container. */
export async function getJson(url: string, timeoutMs = 1000): Promise<Record<string, unknown>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return (await res.json()) as Record<string, unknown>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createTcpServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
