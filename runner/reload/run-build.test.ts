import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runBuild } from './run-build.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('runBuild', () => {
  it('passes each output line on and reports the exit code with the last lines', async () => {
    const lines: string[] = [];
    const result = await runBuild('echo compiling; echo "error: bad" 1>&2; exit 3', { cwd: tmpdir(), onLine: (l) => lines.push(l) });
    expect(result).toMatchObject({ ok: false, code: 3 });
    expect(lines.sort()).toEqual(['compiling', 'error: bad']);
    expect(result.tail.sort()).toEqual(['compiling', 'error: bad']);
  });

  it('runs in the given folder', async () => {
    const lines: string[] = [];
    const result = await runBuild('pwd', { cwd: tmpdir(), onLine: (l) => lines.push(l) });
    expect(result).toMatchObject({ ok: true, code: 0 });
    expect(lines).toEqual([tmpdir()]);
  });

  it('an abort kills the whole process group, grandchildren included', async () => {
    const abort = new AbortController();
    let sleeper = 0;
    const done = runBuild('sleep 30 & echo $!; wait', {
      cwd: tmpdir(),
      signal: abort.signal,
      onLine: (l) => {
        sleeper = Number(l);
        abort.abort();
      },
    });
    const result = await done;
    expect(result.ok).toBe(false);
    expect(sleeper).toBeGreaterThan(0);
    const deadline = Date.now() + 5000;
    while (alive(sleeper) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(alive(sleeper)).toBe(false);
  });
});
