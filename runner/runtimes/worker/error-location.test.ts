import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { describeError } from './error-location.ts';

/** The error a real worker thread reports for a module with this source. */
async function workerError(name: string, source: string): Promise<{ error: unknown; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'micro-dev-error-'));
  const file = join(dir, name);
  await writeFile(file, source);
  const worker = new Worker(file, { stdout: true, stderr: true });
  worker.stdout.resume();
  worker.stderr.resume();
  const error = await new Promise<unknown>((resolve) => {
    worker.once('error', resolve);
    worker.once('exit', () => resolve(undefined));
  });
  return { error, file };
}

describe('describeError', () => {
  it('a TypeScript syntax error: FILE:LINE:COL from the source marker', async () => {
    const { error, file } = await workerError('bad.ts', 'const ok = 1;\nconst broken: number = (;\n');
    expect(describeError(error)).toBe(`${file}:2:25: SyntaxError: Expression expected`);
  });

  it('a TypeScript syntax error in a module the entry imports: that module\'s FILE:LINE:COL', async () => {
    const { file: broken } = await workerError('broken.ts', 'export const a = 1;\nexport const b = (;\n');
    const { error } = await workerError('entry.ts', `import '${broken}';\n`);
    expect(describeError(error)).toBe(`${broken}:2:19: SyntaxError: Expression expected`);
  });

  it('a JavaScript (CommonJS) syntax error', async () => {
    const { error, file } = await workerError('bad.cjs', 'const a = 1;\nconst x = {;\n');
    expect(describeError(error)).toBe(`${file}:2:12: SyntaxError: Unexpected token ';'`);
  });

  it('a throw at start-up (JSON.parse of bad input): the first frame in the user\'s file', async () => {
    const { error, file } = await workerError('thrower.ts', 'function start(): void {\n  JSON.parse("{");\n}\nstart();\n');
    expect(describeError(error)).toBe(`${file}:2:8: SyntaxError: Expected property name or '}' in JSON at position 1 (line 1 column 2)`);
  });

  it('no location: name and message; not an Error: its text', () => {
    const e = new Error('plain');
    e.stack = 'Error: plain';
    expect(describeError(e)).toBe('Error: plain');
    expect(describeError('a string')).toBe('a string');
  });
});
