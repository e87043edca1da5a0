/**
 * nginx for the benches' anchors: `daemon off`, so the bench owns it as a child, started as the leader of
 * its own process group. A SIGKILL to the master alone (a bench's cleanup) orphans its worker, which keeps
 * running and holds the port; stopping the group takes both.
 *
 *   const nginx = spawnNginx(conf, prefix)  ...  killGroup(nginx)
 */
import { spawn, type ChildProcess } from 'node:child_process';

export function spawnNginx(conf: string, prefix: string): ChildProcess {
  return spawn('nginx', ['-c', conf, '-p', prefix], { stdio: ['ignore', 'ignore', 'inherit'], detached: true });
}

/** SIGKILL to the child's whole process group when it leads one (spawned detached), else to the child. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
