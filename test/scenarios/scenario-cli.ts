/** Runs `micro-dev scenario ARGS` as a user would: through bin/micro-dev.js. */
import { runCli } from '../support/cli-process.ts';

export function runScenarioCli(args: string[]): Promise<{ code: number | null; output: string }> {
  return runCli(['scenario', ...args]);
}
