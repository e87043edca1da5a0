/**
 * Where a stop request comes from, depending on how the service runs:
 *
 *   worker thread  ── parentPort message {type:'stop'}
 *   process        ── SIGTERM / SIGINT
 *                  ── IPC channel disconnect (parent died)       } so an orphan never lingers
 *                  ── stdin pipe/socket EOF (parent died)        }
 *
 * install() returns a dispose function that removes every listener and unrefs what it held, so the
 * thread/process can end once the service has closed its own handles.
 */
import { fstatSync } from 'node:fs';
import { isMainThread, parentPort } from 'node:worker_threads';

export type StopReason = 'message' | 'SIGTERM' | 'SIGINT' | 'disconnect' | 'stdin';

export function installShutdownTriggers(onStop: (reason: StopReason) => void): () => void {
  const disposers: (() => void)[] = [];
  if (!isMainThread && parentPort) {
    const port = parentPort;
    const onMessage = (m: unknown) => {
      if (m && typeof m === 'object' && (m as { type?: unknown }).type === 'stop') onStop('message');
    };
    port.on('message', onMessage);
    disposers.push(() => {
      port.off('message', onMessage);
      port.unref();
    });
    return () => disposers.forEach((d) => d());
  }
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    const h = () => onStop(sig);
    process.on(sig, h);
    disposers.push(() => process.off(sig, h));
  }
  if (process.channel) {
    const h = () => onStop('disconnect');
    process.on('disconnect', h);
    disposers.push(() => {
      process.off('disconnect', h);
      process.channel?.unref();
    });
  }
  if (process.env.MICRO_EXIT_ON_STDIN_CLOSE !== 'false' && stdinIsPipe()) {
    const h = () => onStop('stdin');
    const stdin = process.stdin;
    stdin.on('end', h);
    stdin.on('close', h);
    stdin.on('error', h);
    stdin.on('data', () => {}); // drain whatever the parent writes; only EOF matters
    disposers.push(() => {
      stdin.off('end', h);
      stdin.off('close', h);
      stdin.destroy();
    });
  }
  return () => disposers.forEach((d) => d());
}

/** A pipe or socketpair (what a parent's `stdio: 'pipe'` gives), not a TTY, file or /dev/null. */
function stdinIsPipe(): boolean {
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}
