/**
 * sweepContainers: removes containers and networks that micro-dev labelled, so a crashed `up` or test run
 * leaves nothing behind. Called by the CLI at `up` start (dead sessions only) and by `down --all`.
 *
 * A session is dead when the pid in its `dev.micro-dev.pid` label no longer runs on this machine.
 */
import type Docker from 'dockerode';
import { connectDocker, dockerStatus } from './docker-client.ts';
import { Labels } from './labels.ts';

export interface SweepOptions {
  /** Remove exactly this session's containers and networks (alive or not). */
  session?: string;
  /** Remove everything micro-dev labelled, whoever owns it. */
  all?: boolean;
  docker?: Docker;
}

/**
 * Removes (force) the matching containers, then their networks. Default: sessions whose owner pid is gone.
 * Returns how many containers and networks were removed. Rejects with DOCKER_UNAVAILABLE without an engine.
 */
export async function sweepContainers(options: SweepOptions = {}): Promise<number> {
  const docker = options.docker ?? (await connectDocker());
  const filter = { label: [options.session ? `${Labels.session}=${options.session}` : Labels.session] };
  const doomed = (labels: Record<string, string> | undefined): boolean => {
    if (options.all || options.session) return true;
    return !pidAlive(Number(labels?.[Labels.pid]));
  };

  let removed = 0;
  const containers = await docker.listContainers({ all: true, filters: filter });
  await Promise.all(
    containers
      .filter((c) => doomed(c.Labels))
      .map(async (c) => {
        try {
          await docker.getContainer(c.Id).remove({ force: true });
          removed++;
        } catch (e) {
          if (dockerStatus(e) !== 404 && dockerStatus(e) !== 409) throw e;
        }
      }),
  );
  const networks = await docker.listNetworks({ filters: filter });
  for (const n of networks.filter((n) => doomed(n.Labels))) {
    try {
      await docker.getNetwork(n.Id).remove();
      removed++;
    } catch (e) {
      if (dockerStatus(e) !== 404) throw e;
    }
  }
  return removed;
}

/** True when a process with this pid exists (EPERM means it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
