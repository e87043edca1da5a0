/**
 * ProcessRuntime: runs `service.command` (argv, no shell) in `service.cwd` as its own process group, behind
 * a guard so it cannot outlive micro-dev (see guard.ts).
 *
 *   start(spec) ──spawn(process.execPath guard.ts)──IPC run──> guard ──spawn──> command
 *               <──────────── {started, pid} | {spawn-error} ───────┘
 *
 * The environment is exactly spec.env, plus PATH from micro-dev when spec.env has none. argv[0] is looked up
 * on that PATH: `node` finds the Node that npm/npx put first (Node 24 for `npx micro-dev`), not necessarily
 * process.execPath; write the absolute path in `command` to pin one.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { SystemClock, type Clock } from '../../clock/clock.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import type { InstanceSpec, Runtime } from '../runtime.ts';
import { LogTap } from '../worker/log-tap.ts';
import { ownPath } from '../../package/own-path.ts';
import { ProcessInstance, type GuardExit } from './process-instance.ts';

const GUARD = ownPath('runner/runtimes/process/guard.ts');

type GuardMessage =
  | { type: 'started'; pid: number }
  | { type: 'spawn-error'; code: string; message: string }
  | { type: 'exit'; code: number | null; signal: string | null };

export class ProcessRuntime implements Runtime {
  readonly kind = 'process' as const;
  readonly #clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? new SystemClock();
  }

  async start(spec: InstanceSpec, options: { signal: AbortSignal }): Promise<ProcessInstance> {
    options.signal.throwIfAborted();
    const { command, cwd } = spec.service;
    if (!command || command.length === 0 || !command[0]) {
      throw new MicroDevError('START_FAILED', `${spec.instance}: runtime process needs a command to run`, {
        hints: [`set services.${spec.service.name}.command in micro.dev.yaml`],
      });
    }
    const isDir = await stat(cwd).then((s) => s.isDirectory(), () => false);
    if (!isDir) {
      throw new MicroDevError('START_FAILED', `${spec.instance}: cannot run "${command[0]}": cwd ${cwd} is not a directory`);
    }
    const env = { ...spec.env };
    if (env.PATH === undefined && process.env.PATH !== undefined) env.PATH = process.env.PATH;

    const guardEnv = { ...process.env };
    delete guardEnv.NODE_OPTIONS; // the guard must not inherit test loaders or inspectors
    // The instance name in argv only makes `ps` readable (and lets a sweep find the guard of an instance).
    const guard = spawn(process.execPath, [GUARD, spec.instance], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'], env: guardEnv });
    const tap = new LogTap(spec.instance);
    const drained = Promise.all([tap.attach(guard.stdout!, 'stdout'), tap.attach(guard.stderr!, 'stderr')]);
    let resolveExit!: (exit: GuardExit | undefined) => void;
    const realExit = new Promise<GuardExit | undefined>((resolve) => (resolveExit = resolve));
    guard.once('disconnect', () => resolveExit(undefined));

    const first = new Promise<GuardMessage | GuardExit>((resolve) => {
      guard.on('message', (message: GuardMessage) => {
        if (message.type === 'exit') resolveExit({ code: message.code, signal: message.signal });
        resolve(message);
      });
      guard.once('exit', (code, signal) => resolve({ code, signal }));
      guard.once('error', () => resolve({ code: null, signal: null }));
    });
    const onAbort = () => {
      try {
        guard.kill('SIGTERM'); // the guard takes the group down with it
      } catch {
        // already gone
      }
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    guard.send({ type: 'run', command, cwd, env, graceMs: spec.service.stopTimeoutMs });

    const outcome = await first;
    options.signal.removeEventListener('abort', onAbort);
    const what = `${spec.instance}: cannot run "${command[0]}"`;
    if ('type' in outcome && outcome.type === 'started') {
      const instance = new ProcessInstance(spec.instance, outcome.pid, guard, tap, drained, realExit, this.#clock);
      if (options.signal.aborted) {
        instance.kill();
        await instance.exited;
        throw options.signal.reason;
      }
      tap.closeReplayWindow();
      return instance;
    }
    guard.kill('SIGKILL');
    if (options.signal.aborted) throw options.signal.reason;
    if ('type' in outcome && outcome.type === 'spawn-error') {
      const why = outcome.code === 'ENOENT' ? 'not found' : outcome.code === 'EACCES' ? 'not executable' : outcome.message;
      throw new MicroDevError('START_FAILED', `${what}: ${why} (cwd ${cwd})`, {
        hints: outcome.code === 'ENOENT' ? [`check that "${command[0]}" is installed and on PATH, or give its full path`] : [],
      });
    }
    await Promise.race([drained, this.#clock.sleep(200)]);
    const lines = tap.lastLines();
    throw new MicroDevError('START_FAILED', `${what}: its guard process ended before starting it${lines.length ? `: ${lines.at(-1)}` : ''}`);
  }
}
