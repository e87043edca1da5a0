/**
 * reaper-process: the detached program behind `acquireReaper` (reaper.ts). It outlives micro-dev on
 * purpose: when micro-dev dies for any reason (SIGKILL and the OOM killer included), the kernel closes
 * micro-dev's end of the stdin pipe; the reaper sees end-of-file, removes every container and network that
 * carries this session's label, and exits. Nothing of another session is touched.
 *
 *   micro-dev ──stdin pipe (the "connection")──> reaper ──(EOF, or owner pid gone)──> sweep session ──> exit
 *             <──"ready\n" on stdout once the engine answered a ping
 *
 * Run as `process.execPath reaper-process.ts SESSION OWNER_PID`. It runs in a process group of its own, so
 * Ctrl-C on micro-dev's terminal does not reach it; SIGINT/SIGTERM/SIGHUP sweep and exit like EOF does.
 * The owner pid is polled too (every 1 s), in case some other process inherited the pipe's write end.
 */
import { connectDocker } from './docker-client.ts';
import { pidAlive, sweepContainers } from './sweep.ts';

const [session, ownerArg] = process.argv.slice(2);
const owner = Number(ownerArg);
if (!session || !Number.isInteger(owner) || owner <= 0) {
  process.stderr.write('usage: reaper-process.ts SESSION OWNER_PID\n');
  process.exitCode = 2;
} else {
  // Nobody reads our output once we said ready: a late write (a Node warning) must not kill us.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const docker = await connectDocker({ timeoutMs: 5000 });
  let reaping: Promise<void> | undefined;
  const reap = (): Promise<void> =>
    (reaping ??= (async () => {
      clearInterval(poll);
      // A container being removed can make the network removal fail once (endpoint still attached): retry.
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await sweepContainers({ session, docker });
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 300));
        }
      }
      process.exit(0);
    })());
  const poll = setInterval(() => {
    if (!pidAlive(owner)) void reap();
  }, 1000);
  process.stdin.on('end', () => void reap());
  process.stdin.on('close', () => void reap());
  process.stdin.on('error', () => void reap());
  process.stdin.resume();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void reap());
  process.stdout.write('ready\n');
}
