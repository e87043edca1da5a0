/**
 * runBuild: runs a service's `watch.build` command (through the shell, in the config folder) before a
 * reload. Each output line goes to `onLine`; the result carries the last lines so a failure can be
 * reported where the user looks (the instance's lastError). Aborting kills the whole process group: a
 * newer save makes the running build pointless.
 */
import { spawn } from 'node:child_process';

export interface BuildResult {
  ok: boolean;
  /** Exit code, or undefined when killed by a signal / aborted / could not spawn. */
  code?: number;
  /** The last few output lines (stdout and stderr interleaved), for the error report. */
  tail: string[];
  durationMs: number;
}

/** Never rejects: a failure to spawn or an abort is a failed BuildResult. */
export function runBuild(
  command: string,
  options: { cwd: string; env?: Record<string, string>; onLine?: (line: string) => void; signal?: AbortSignal },
): Promise<BuildResult> {
  const t0 = performance.now();
  const tail: string[] = [];
  const push = (line: string) => {
    tail.push(line);
    if (tail.length > 8) tail.shift();
    options.onLine?.(line);
  };
  return new Promise((resolve) => {
    if (options.signal?.aborted) return resolve({ ok: false, tail: ['aborted'], durationMs: 0 });
    const child = spawn(command, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      shell: true,
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killGroup = () => {
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGTERM');
        else child.kill('SIGTERM');
      } catch {
        // already gone
      }
    };
    options.signal?.addEventListener('abort', killGroup, { once: true });
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split(/\r?\n/);
        rest = lines.pop() ?? '';
        lines.forEach(push);
      });
      stream.on('end', () => rest && push(rest));
    }
    const finish = (result: Omit<BuildResult, 'tail' | 'durationMs'>) => {
      options.signal?.removeEventListener('abort', killGroup);
      resolve({ ...result, tail, durationMs: performance.now() - t0 });
    };
    child.once('error', (error) => {
      push(`cannot run build "${command}": ${error.message}`);
      finish({ ok: false });
    });
    child.once('close', (code) => {
      if (options.signal?.aborted) finish({ ok: false });
      else finish({ ok: code === 0, ...(code === null ? {} : { code }) });
    });
  });
}
