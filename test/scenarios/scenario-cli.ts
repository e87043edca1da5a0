/**
 * Runs `micro-dev scenario ARGS` as a user would: through bin/micro-dev.js once the command is in the
 * command table, else through scenario-main.ts (same code, same exit codes).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { commands } from '../../runner/cli/command-table.ts';
import { repoRoot, runCli } from '../support/cli-process.ts';

export async function runScenarioCli(args: string[]): Promise<{ code: number | null; output: string }> {
  if (commands.some((c) => c.name === 'scenario')) return runCli(['scenario', ...args]);
  const child = spawn(process.execPath, [join(repoRoot, 'test/scenarios/scenario-main.ts'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, output };
}
