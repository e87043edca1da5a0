/**
 * Open files: every instance costs micro-dev about FILES_PER_INSTANCE descriptors (its three fault-plane
 * link listeners, its server, its heartbeat connection through its registry link (both ends of both hops),
 * its log file, and on Linux the Unix sockets its server, its proxy link and its registry link also listen
 * on). A thousand replicas need ~13,000; a laptop's soft limit is often 1,024 (macOS 256). Node
 * raises its soft limit to the hard one at start, so what this process may open now is what counts: a
 * topology that would run out is refused up front with the number to ask for, instead of a storm of
 * EMFILE errors halfway through the start.
 *
 *   openFilesLimit()  -> Linux: /proc/self/limits ("Max open files", soft); elsewhere `ulimit -n` of a child
 *                        shell (it inherits this process's limit); undefined when neither answers
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ServiceConfig } from '../config/topology.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';

export const FILES_PER_INSTANCE = 13;
/** micro-dev's own: registry, gateway, proxy, web, broker, fault plane, control API, files, the dashboard. */
export const FILES_BASE = 200;

export function openFilesLimit(): number | undefined {
  try {
    if (process.platform === 'linux') {
      const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
      const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
      if (soft === 'unlimited') return Infinity;
      const n = Number(soft);
      return Number.isFinite(n) && n > 0 ? n : undefined;
    }
    const out = spawnSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2_000 }).stdout?.trim();
    if (out === 'unlimited') return Infinity;
    const n = Number(out);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Open files this many instances need (an estimate with room, see FILES_PER_INSTANCE). */
export function filesNeeded(instances: number): number {
  return FILES_BASE + FILES_PER_INSTANCE * instances;
}

/** Throws START_FAILED naming the limit and how to raise it when `services` would not fit in it. */
export function assertOpenFilesFor(services: readonly Pick<ServiceConfig, 'name' | 'replicas'>[], limit = openFilesLimit()): void {
  const instances = services.reduce((n, s) => n + s.replicas, 0);
  const needed = filesNeeded(instances);
  if (limit === undefined || needed <= limit) return;
  const biggest = [...services].sort((a, b) => b.replicas - a.replicas)[0]!;
  throw new MicroDevError(
    'START_FAILED',
    `${instances} instances need about ${needed} open files and this process may open ${limit} (ulimit -n)`,
    {
      hints: [
        `raise the limit in the shell that runs micro-dev: ulimit -n ${needed} (above the hard limit: /etc/security/limits.conf on Linux, sudo launchctl limit maxfiles on macOS)`,
        `or run fewer replicas (services.${biggest.name}.replicas is ${biggest.replicas}; each instance takes about ${FILES_PER_INSTANCE} files)`,
      ],
    },
  );
}
