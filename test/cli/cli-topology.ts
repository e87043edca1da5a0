/**
 * Small topologies for the CLI error tests: every fixed port free (so parallel suites never collide), one
 * greeter-srv replica by default (the quickest real service), services appended as YAML. Plus helpers that
 * check a test left nothing behind: the run file, listening ports.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { findPortOwner, listeningInodes } from '../../runner/net/find-port-owner.ts';
import { CliProcess, repoRoot, writeTopology } from '../support/cli-process.ts';

export interface SmallTopology {
  dir: string;
  file: string;
  /** Every fixed port the topology listens on, by role. */
  ports: { registry: number; gateway: number; proxy: number; web: number; faults: number };
}

export const greeterSrv = `  greeter-srv:
    module: ${join(repoRoot, 'services', 'greeter-srv', 'main.ts')}
`;

/** Writes `<tmp>/micro.dev.yaml`; `services` is the YAML under `services:` (default: one greeter-srv). */
export function writeSmallTopology(services = greeterSrv): Promise<SmallTopology> {
  return writeTopology(services, 'cli-errors');
}

/** A running `up` of greeter-srv and greeter-api (calls go api -> srv), for the tests that look at one. */
export async function upWithApiTier(): Promise<{ topo: SmallTopology; up: CliProcess }> {
  const topo = await writeSmallTopology(`${greeterSrv}  greeter-api:
    module: ${join(repoRoot, 'services', 'greeter-api', 'main.ts')}
    depends_on: [greeter-srv]
`);
  // Leases at real speed (not 0.1): the tests count an instance's `registered` lines, and on a loaded
  // machine a 3 s TTL can lapse and make the kit register again (a second line nobody asked for).
  await writeFile(topo.file, (await readFile(topo.file, 'utf8')).replace('time_scale: 0.1', 'time_scale: 1'));
  const up = new CliProcess(['up', '-c', topo.file, '--no-tui']);
  await up.waitFor('micro-dev ready', 30_000);
  return { topo, up };
}

export function runFileExists(topology: { dir: string }): boolean {
  return existsSync(join(topology.dir, '.micro-dev', 'run.json'));
}

/**
 * The ports someone still listens on, as `port N: pid P (command)`; [] when all are free. Each is bound for
 * an instant; a port that cannot be bound but has no listener is only some connection's local port (other
 * suites run beside these), not something a test left behind.
 */
export async function listenersOn(ports: number[]): Promise<string[]> {
  const busy = await Promise.all(
    ports.map(async (port) => {
      const free = await new Promise<boolean>((resolve) => {
        const server = createServer();
        server.once('error', () => resolve(false));
        server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
      });
      if (free) return undefined;
      const owner = await findPortOwner(port);
      const listening = [await readFile('/proc/net/tcp', 'utf8'), await readFile('/proc/net/tcp6', 'utf8').catch(() => '')].some(
        (table) => listeningInodes(table, port).length > 0,
      );
      return listening ? `port ${port}: ${owner ? `pid ${owner.pid} (${owner.command})` : 'unknown holder'}` : undefined;
    }),
  );
  return busy.filter((b): b is string => b !== undefined);
}

/** A micro-dev stack trace would show `    at fn (file:line)` lines; user-facing errors never do. */
export const stackTraceLine = /^\s+at .+[:(]/m;
