/**
 * Stand-in launcher for `micro-dev scenario ...` while the command is not yet in runner/cli/command-table.ts:
 * the same run() and the same error -> exit code mapping as runner/cli/main.ts.
 */
import { isMicroDevError } from '../../runner/errors/micro-dev-error.ts';
import { run } from '../../runner/cli/commands/scenario.ts';

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (isMicroDevError(error)) {
    process.stderr.write(`micro-dev: ${error.message}\n`);
    for (const hint of error.hints) process.stderr.write(`  hint: ${hint}\n`);
    process.exitCode = ['BAD_ARGUMENTS', 'CONFIG_INVALID', 'CONFIG_NOT_FOUND'].includes(error.code) ? 2 : 1;
  } else {
    process.stderr.write(`micro-dev: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  }
}
