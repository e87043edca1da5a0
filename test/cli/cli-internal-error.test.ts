/**
 * An error micro-dev did not expect prints one line naming a log file, and the log file holds the stack; a
 * closed stdout pipe is not an error at all. The real CLI as a child process; the bug is planted with a
 * `node --import` preload (test/cli/fixtures/planted-bug.ts), so no test hook lives in micro-dev itself.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot } from '../support/cli-process.ts';

const preload = join(repoRoot, 'test/cli/fixtures/planted-bug.ts');
const temps: string[] = [];
afterAll(() => Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>, options: { closeStdout?: boolean } = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', preload, binPath, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  // The reader goes away before micro-dev writes a byte: its first write meets EPIPE.
  if (options.closeStdout) child.stdout.destroy();
  else child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

async function logDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'micro-dev-internal-error-'));
  temps.push(dir);
  return dir;
}

describe('an internal error', () => {
  it.each([
    ['thrown inside the command', 'throw', 'TypeError: planted bug: cannot read package.json'],
    ['rejected outside any await', 'reject', 'RangeError: planted bug: a rejection nobody awaited'],
  ])('%s: one line naming the log, exit 2, the stack only in the log', async (_what, mode, summary) => {
    const tmp = await logDir();
    const run = await cli(['--version'], { PLANTED_BUG: mode, TMPDIR: tmp });
    expect(run.code).toBe(2);
    const logs = await readdir(join(tmp, 'micro-dev'));
    expect(logs).toHaveLength(1);
    const log = join(tmp, 'micro-dev', logs[0]!);
    expect(logs[0]).toMatch(/^internal-error-.*\.log$/);
    expect(run.stderr).toBe(`micro-dev: internal error: ${summary} (stack in ${log})\n`);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/^\s+at /m);
    const text = await readFile(log, 'utf8');
    expect(text).toContain(summary.split(': ').slice(1).join(': '));
    expect(text).toMatch(/^\s+at .*planted-bug\.ts/m);
    expect(text).toContain('argv: ');
  });
});

describe('a handle left running after the command is done', () => {
  it('does not hang the process: it exits with the command\'s code, names what was left and logs it', async () => {
    const tmp = await logDir();
    const run = await cli(['--version'], { PLANTED_BUG: 'linger', TMPDIR: tmp });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^micro-dev \d+\.\d+\.\d+\n$/);
    const logs = await readdir(join(tmp, 'micro-dev'));
    expect(logs).toHaveLength(1);
    const log = join(tmp, 'micro-dev', logs[0]!);
    expect(run.stderr).toBe(`micro-dev: the command finished but something still held the process (Timeout): a bug, details in ${log}; exiting\n`);
    expect(await readFile(log, 'utf8')).toContain('still active: Timeout');
  });
});

describe('a closed stdout pipe', () => {
  it('ends micro-dev quietly (no EPIPE stack, exit 0)', async () => {
    const run = await cli(['--help'], {}, { closeStdout: true });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  });
});
