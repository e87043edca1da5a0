/**
 * Runtime: how an instance is started. One interface, one folder per runtime (worker, process, container);
 * the engine never imports worker_threads, child_process or dockerode itself.
 *
 *   engine ──start(spec,{signal})──> Runtime ──> StartedInstance ──stop()──> ExitInfo
 *                                                 │ logs (line by line, stdout+stderr)
 *                                                 └ exited (resolves once, however it ended)
 */
import type { RuntimeKind, ServiceConfig } from '../config/topology.ts';

export interface InstanceSpec {
  /** Instance name, e.g. `greeter-srv-1`; unique in a topology. */
  instance: string;
  service: ServiceConfig;
  /** Full environment for the instance (MICRO_* variables included); the runtime adds nothing but PATH. */
  env: Record<string, string>;
}

export interface LogLine {
  instance: string;
  stream: 'stdout' | 'stderr';
  line: string;
  /** Milliseconds since the epoch. */
  at: number;
}

export interface ExitInfo {
  /** Exit code, or null when ended by a signal. */
  code: number | null;
  signal: string | null;
  /** True when stop() asked for it (not a crash). */
  requested: boolean;
}

export interface StartedInstance {
  readonly instance: string;
  readonly kind: RuntimeKind;
  /** OS pid for processes, thread id for workers (prefixed `tid:`), container id (12 chars) for containers. */
  readonly ref: string;
  /** Subscribe to output lines; returns an unsubscribe function. Lines before subscription are not replayed. */
  onLog(listener: (line: LogLine) => void): () => void;
  /** Resolves once when the instance has ended, however it ended. Never rejects. */
  readonly exited: Promise<ExitInfo>;
  /**
   * Graceful stop: ask (SIGTERM / a 'stop' message), wait up to graceMs, then force. Resolves with the exit.
   * Idempotent. Never rejects.
   */
  stop(graceMs: number): Promise<ExitInfo>;
  /** Immediate hard kill (SIGKILL / worker.terminate()). */
  kill(): void;
  /** SIGSTOP/SIGCONT (or the runtime's equivalent); throws MicroDevError if unsupported. */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

export interface Runtime {
  readonly kind: RuntimeKind;
  /**
   * Starts an instance and resolves as soon as it is running (NOT when ready: readiness is a wait strategy
   * the engine applies). Rejects with MicroDevError START_FAILED naming the instance when it cannot start.
   * Aborting the signal during start stops what was started. The caller owns the instance and must stop it.
   */
  start(spec: InstanceSpec, options: { signal: AbortSignal }): Promise<StartedInstance>;
  /** Releases runtime-wide resources (networks, image caches). */
  close?(): Promise<void>;
}
