/**
 * WorkerRuntime: runs `service.module` (an absolute .ts/.js path) in a worker_threads Worker.
 *
 *   start(spec) ──> new Worker(module, { env: spec.env, stdout, stderr, argv: [] }) ──'online'──> WorkerInstance
 *
 * Inside the worker `process.env` is exactly spec.env. The cheapest runtime (no process start), but the
 * instance shares micro-dev's process: it cannot be paused, and a busy loop in it costs micro-dev a core.
 * A module that fails to load still starts (resolves) and then exits with code 1, its error as a stderr line.
 * The service is expected to stop gracefully on a `{type:'stop'}` message from parentPort.
 * Services with many replicas are packed into shared threads instead (PACK_FROM_REPLICAS, instance-host.ts).
 */
import { access } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SystemClock, type Clock } from '../../clock/clock.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import type { InstanceSpec, Runtime } from '../runtime.ts';
import { HostPool } from './host-pool.ts';
import type { PackedInstance } from './packed-instance.ts';
import { WorkerInstance } from './worker-instance.ts';
import { newThread } from './new-thread.ts';
import { instanceThreadLimits } from './young-generation.ts';

/**
 * A service with this many replicas or more is packed: its instances share threads, PER_HOST to a thread
 * (host-pool.ts, instance-host.ts), so 1,000 instances cost ten threads, not a thousand. Smaller services
 * keep a thread per instance (full isolation: a busy loop stalls nobody else).
 */
export const PACK_FROM_REPLICAS = 16;
const PER_HOST = 100;

export class WorkerRuntime implements Runtime {
  readonly kind = 'worker' as const;
  readonly #clock: Clock;

  readonly #pool: HostPool;
  readonly #packFrom: number;

  /** packFrom: replicas from which a service's instances are packed (default PACK_FROM_REPLICAS). */
  constructor(options: { clock?: Clock; packFrom?: number; perHost?: number } = {}) {
    this.#clock = options.clock ?? new SystemClock();
    this.#packFrom = options.packFrom ?? PACK_FROM_REPLICAS;
    this.#pool = new HostPool({ perHost: options.perHost ?? PER_HOST, clock: this.#clock, resourceLimits: instanceThreadLimits() });
  }

  /** Shared threads running packed instances now. */
  get hostThreads(): number {
    return this.#pool.threads;
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  async start(spec: InstanceSpec, options: { signal: AbortSignal }): Promise<WorkerInstance | PackedInstance> {
    options.signal.throwIfAborted();
    const module = spec.service.module;
    if (!module) {
      throw new MicroDevError('START_FAILED', `${spec.instance}: runtime worker needs a module to run`, {
        hints: [`set services.${spec.service.name}.module in micro.dev.yaml`],
      });
    }
    if (!isAbsolute(module)) {
      throw new MicroDevError('START_FAILED', `${spec.instance}: module path "${module}" is not absolute`);
    }
    await access(module).catch((cause: unknown) => {
      throw new MicroDevError('START_FAILED', `${spec.instance}: cannot load module "${module}": not found`, { cause });
    });
    options.signal.throwIfAborted();
    if (spec.service.replicas >= this.#packFrom) {
      const packed = await this.#pool.start(spec, module);
      if (options.signal.aborted) {
        packed.kill();
        await packed.exited;
        throw options.signal.reason;
      }
      packed.closeReplayWindow();
      return packed;
    }

    let worker: Worker;
    try {
      worker = newThread(module, { env: { ...spec.env }, stdout: true, stderr: true, argv: [], name: spec.instance, resourceLimits: instanceThreadLimits() });
    } catch (cause) {
      throw new MicroDevError('START_FAILED', `${spec.instance}: cannot start worker for "${module}": ${String(cause)}`, {
        cause,
      });
    }
    // Wrap first so output and errors are captured from the very start.
    const instance = new WorkerInstance(spec.instance, worker, this.#clock);
    const started = new Promise<void>((resolve) => worker.once('online', resolve));
    let onAbort = () => {};
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      options.signal.addEventListener('abort', onAbort, { once: true });
    });
    const outcome = await Promise.race([
      started.then(() => 'online' as const),
      instance.exited.then(() => 'exited' as const),
      aborted,
    ]);
    options.signal.removeEventListener('abort', onAbort);
    if (outcome === 'aborted' || options.signal.aborted) {
      instance.kill();
      await instance.exited;
      throw options.signal.reason;
    }
    instance.closeReplayWindow();
    return instance;
  }
}
