/**
 * describeError: one line for an error thrown in a worker (at start-up, while loading, after a reload),
 * led by where it happened in the user's code, as compilers print it: `FILE:LINE:COL: Name: message`.
 *
 *   a module that does not parse: Node puts `file:///x.ts:LINE`, the source line and a `^` marker
 *     first in the stack (the column is the marker's)          -> x.ts:LINE:COL: SyntaxError: ...
 *   anything thrown: the first stack frame in a file of ours (not node:internal, not node_modules,
 *     else any file)                                           -> x.ts:LINE:COL: Error: ...
 *   no location found                                          -> Name: message
 *
 * Paths under the current folder are shown relative to it.
 */
import { relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

const HEADER = /^((?:file:\/\/)?\/[^\n]*?):(\d+)\n/;
const FRAME = /^\s+at (?:.*?\()?((?:file:\/\/)?\/[^\s()]+?):(\d+):(\d+)\)?$/gm;

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const what = `${error.name}: ${error.message}`;
  const where = locate(error.stack ?? '');
  return where ? `${where}: ${what}` : what;
}

function locate(stack: string): string | undefined {
  const header = HEADER.exec(stack);
  if (header) {
    // The source excerpt ends at the first blank line; the `^` marker sits under the failing line.
    const excerpt = stack.slice(header[0].length).split('\n\n')[0]!.split('\n');
    const marker = excerpt.find((l) => /^\s*\^+\s*$/.test(l));
    const col = marker ? marker.indexOf('^') + 1 : undefined;
    return `${shown(header[1]!)}:${header[2]}${col ? `:${col}` : ''}`;
  }
  const frames = [...stack.matchAll(FRAME)].map((m) => ({ file: m[1]!, line: m[2]!, col: m[3]! }));
  const frame = frames.find((f) => !f.file.includes('/node_modules/')) ?? frames[0];
  return frame ? `${shown(frame.file)}:${frame.line}:${frame.col}` : undefined;
}

function shown(file: string): string {
  const path = file.startsWith('file://') ? fileURLToPath(file) : file;
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
