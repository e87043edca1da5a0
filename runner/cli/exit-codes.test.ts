import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors/micro-dev-error.ts';
import { exitCodeFor } from './exit-codes.ts';

/** README's exit-code table: exit code -> the error codes its row lists. */
function readmeTable(): Map<number, string[]> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const rows = new Map<number, string[]>();
  for (const match of readme.matchAll(/^\| ([0-2]) \| [^|]+ \|([^|]*)\|$/gm)) {
    rows.set(Number(match[1]), [...match[2]!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!).sort());
  }
  return rows;
}

describe('exit codes', () => {
  it('every error code has one, and the README table says the same', () => {
    const table = readmeTable();
    expect([...table.keys()]).toEqual([0, 1, 2]);
    for (const code of [0, 1, 2]) {
      const want = Object.entries(exitCodeFor)
        .filter(([, exit]) => exit === code)
        .map(([name]) => name)
        .sort();
      expect({ code, errors: table.get(code) }).toEqual({ code, errors: want });
    }
    expect(Object.keys(exitCodeFor).sort()).toEqual(Object.keys(ErrorCodes).sort());
  });
});
