/**
 * `micro-dev up --no-tui` for a bench: spawned detached with the given node flags, its output in `logFile`,
 * resolved once it logs `micro-dev ready`. A start that fails or exits rejects with the log's tail.
 * The child joins `children` at once, so the bench's own cleanup kills it whatever happens next.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { binPath, eventually } from '../../test/support/cli-process.ts';

export async function spawnUp(
  topologyFile: string,
  options: { nodeFlags: string[]; logFile: string; cwd: string; children: Set<ChildProcess> },
): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const fd = openSync(options.logFile, 'w');
  const child = spawn(process.execPath, [...options.nodeFlags, binPath, 'up', '-c', topologyFile, '--no-tui'], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  options.children.add(child);
  let exit: number | string | undefined;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exit = code ?? signal ?? '?'))));
  const tail = () => readFileSync(options.logFile, 'utf8').slice(-2000);
  await eventually(async () => exit !== undefined || tail().includes('micro-dev ready'), 90_000, 'micro-dev ready').catch((e: Error) => {
    throw new Error(`${e.message}\n${tail()}`);
  });
  if (exit !== undefined) throw new Error(`micro-dev up exited with ${exit}\n${tail()}`);
  return { child, exited };
}
