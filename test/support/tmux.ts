import { spawnSync } from 'node:child_process';

/**
 * Runs `tmux -L socket ARGS` (a private tmux server per test or bench) and returns its stdout; throws with
 * tmux's stderr when it fails. Panes get a user's environment: no NO_COLOR, and no CI (ink would render only
 * the last frame; runDashboard masks CI as well, this keeps anything else in the pane honest too).
 */
export function tmux(socket: string, ...args: string[]): string {
  const env = { ...process.env };
  delete env.CI;
  delete env.NO_COLOR;
  const r = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.stderr}`);
  return r.stdout;
}
