/**
 * micro-dev's entry point: picks the command, runs it, maps errors to exit codes (exit-codes.ts, one table
 * for every command). The only place that prints errors and sets the exit code.
 */
import { releaseShutdownSignals } from './shutdown-signals.ts'; // first: Ctrl-C is caught from here on
import { isMicroDevError } from '../errors/micro-dev-error.ts';
import { commands, helpText } from './command-table.ts';
import { EXIT_CANNOT_RUN, exitCodeFor } from './exit-codes.ts';
import { errorSummary, writeInternalErrorLog } from './internal-error-log.ts';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(helpText());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    const { readFile } = await import('node:fs/promises');
    const { OWN_PACKAGE_JSON } = await import('../package/own-path.ts');
    const pkg = JSON.parse(await readFile(OWN_PACKAGE_JSON, 'utf8'));
    process.stdout.write(`micro-dev ${pkg.version}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  // Only `up` stops cleanly on a signal (it claims them); any other command ends by it, as before.
  if (command?.name !== 'up') releaseShutdownSignals();
  if (!command) {
    const near = commands.map((c) => c.name).find((c) => c.startsWith(name.slice(0, 2)));
    process.stderr.write(`micro-dev: unknown command "${name}"${near ? ` (did you mean "${near}"?)` : ''}\n\n${helpText()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n\n${command.help}\n`);
    return 0;
  }
  return command.run(rest);
}

/** Prints an error the micro-dev way and returns the exit code: a MicroDevError as its message and hints; anything
 * else (a bug) as one line plus the log file holding the stack (never a stack on the terminal). */
function report(error: unknown): number {
  if (isMicroDevError(error)) {
    process.stderr.write(`micro-dev: ${error.message}\n`);
    for (const hint of error.hints) process.stderr.write(`  hint: ${hint}\n`);
    return exitCodeFor[error.code];
  }
  const log = writeInternalErrorLog(error);
  process.stderr.write(
    `micro-dev: internal error: ${errorSummary(error)} (${log ? `stack in ${log}` : 'the log file could not be written'})\n`,
  );
  return EXIT_CANNOT_RUN;
}

// Errors that escape the command's promise (an event emitter's 'error', a rejection nobody awaited) would make
// Node print a stack and exit: report them the same way.
const crash = (error: unknown) => process.exit(report(error));
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
// A closed pipe (`micro-dev scenario list | head`) is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? process.exit() : crash(error)));

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.exitCode = report(error);
}
// The command is done (its topology, if any, stopped): Node exits once nothing holds its event loop. If
// something still does 2 s later (a timer or handle left by a bug; seen once after `scenario run --all` in
// CI, idle for minutes), exit anyway with the command's code and say what was left, rather than hang a
// script or a CI job. The timer itself does not keep the process alive.
setTimeout(() => {
  const all = process.getActiveResourcesInfo();
  // stdout and stderr are pipes or terminals of their own: name the rest (the log keeps the whole list).
  const left = all.filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
  const log = writeInternalErrorLog(new Error(`the command finished but the process did not exit; still active: ${left.join(', ') || 'nothing listed'} (all: ${all.join(', ')})`));
  process.stderr.write(`micro-dev: the command finished but something still held the process (${left.join(', ') || 'nothing listed'}): a bug${log ? `, details in ${log}` : ''}; exiting\n`);
  process.exit();
}, 2000).unref();
