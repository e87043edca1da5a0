/**
 * ConfigProblem: one thing wrong with a config file, pointing at the offending key or value.
 * Every step of the config pipeline (parse, shape, validators) reports these; none stops at the first.
 */
import path from 'node:path';

export interface ConfigProblem {
  /** Absolute path of the file. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  message: string;
}

/** `micro.dev.yaml:12:5: message`, the file shown relative to `cwd` (default: the process's). */
export function formatProblem(p: ConfigProblem, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, p.file);
  // Outside cwd a long ../../ chain reads worse than the absolute path.
  const shown = rel === '' ? p.file : rel.startsWith('..') && path.isAbsolute(p.file) ? p.file : rel;
  return `${shown}:${p.line}:${p.col}: ${p.message}`;
}

/** File order: by line, then column (stable for equal positions). */
export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}
