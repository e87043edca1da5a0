/**
 * ExitReport: the ExitInfo our runtimes resolve `exited` with, plus the last output lines so the engine and
 * wait strategies can say why an instance died ("exited with code 1 before it was ready: <line>").
 * Structurally an ExitInfo, so it satisfies the Runtime contract unchanged; read `lastLines` with
 * `exitLines(info)` when the runtime is not known.
 */
import type { ExitInfo } from '../runtime.ts';

export interface ExitReport extends ExitInfo {
  /** Last output lines, oldest first (stderr ones when there are any). Empty when it said nothing. */
  lastLines: string[];
}

export function exitLines(info: ExitInfo): string[] {
  const lines = (info as Partial<ExitReport>).lastLines;
  return Array.isArray(lines) ? lines : [];
}

/**
 * The last line that can explain a crash, skipping what never does: blanks, stack frames (`at ...`), Node's
 * `Node.js v24...` footer and `^^^` source markers. For a Node crash that is the `Error: ...` line.
 */
export function tellingLine(lines: readonly string[]): string | undefined {
  return lines.filter(isTelling).at(-1);
}

export function isTelling(line: string): boolean {
  const trimmed = line.trim();
  return trimmed !== '' && !/^at\s/.test(trimmed) && !/^Node\.js v\d/.test(trimmed) && !/^\^+$/.test(trimmed);
}
