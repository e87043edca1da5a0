import { parseCli, configPath } from '../cli-args.ts';
import { isAlive, readRunFile, removeRunFile } from '../../control/run-file.ts';
import { controlRequest } from '../../control/control-client.ts';

/** Asks a running `up` to shut down; if it does not go within 10 s, SIGTERM then SIGKILL it. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCli('down', args, { all: { type: 'boolean' } });
  const file = configPath(values.config);
  const info = await readRunFile(file);
  let stopped = false;
  if (info && isAlive(info.pid)) {
    process.stdout.write(`stopping micro-dev up (pid ${info.pid})...\n`);
    await controlRequest(info, '/api/command', { method: 'POST', body: JSON.stringify({ type: 'shutdown' }) }).catch(
      () => process.kill(info.pid, 'SIGTERM'),
    );
    stopped = await gone(info.pid, 10_000);
    if (!stopped) {
      process.stdout.write(`pid ${info.pid} still running after 10 s; sending SIGKILL\n`);
      process.kill(info.pid, 'SIGKILL');
      stopped = await gone(info.pid, 2_000);
    }
    process.stdout.write(stopped ? 'stopped\n' : `could not stop pid ${info.pid}\n`);
  } else {
    process.stdout.write(info ? `micro-dev up (pid ${info.pid}) is gone; cleaning up after it\n` : 'micro-dev up is not running\n');
  }
  await removeRunFile(file);
  const swept = await sweepContainers(values.all === true);
  if (swept > 0) process.stdout.write(`removed ${swept} leftover container(s)/network(s)\n`);
  return info && !stopped && isAlive(info.pid) ? 1 : 0;
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

/** Containers of dead sessions (or all with --all); a machine without Docker has none. */
async function sweepContainers(all: boolean): Promise<number> {
  try {
    const { sweepContainers } = await import('../../runtimes/container/sweep.ts');
    return await sweepContainers({ all });
  } catch {
    return 0;
  }
}
