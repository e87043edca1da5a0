/**
 * writeInternalErrorLog: an error micro-dev did not expect (a bug, not a MicroDevError) goes to a log file
 * with its whole stack and causes; the terminal gets one line naming that file. Synchronous, so it also works
 * from an 'uncaughtException' handler.
 *
 *   <tmpdir>/micro-dev/internal-error-<UTC time>-<pid>.log:  time, argv, Node, cwd, then util.inspect(error)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';

/** Writes the log and returns its path; undefined when even that failed (the caller still prints its line). */
export function writeInternalErrorLog(error: unknown, dir = path.join(tmpdir(), 'micro-dev')): string | undefined {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `internal-error-${stamp}-${process.pid}.log`);
  const text = [
    `time: ${new Date().toISOString()}`,
    `argv: ${JSON.stringify(process.argv)}`,
    `node: ${process.version} on ${process.platform}-${process.arch}`,
    `cwd:  ${process.cwd()}`,
    '',
    inspect(error, { depth: 8, breakLength: 120 }),
    '',
  ].join('\n');
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
    return file;
  } catch {
    return undefined;
  }
}

/** The error's first message line, never its stack. */
export function errorSummary(error: unknown): string {
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}
