/**
 * Readiness as composable objects (the testcontainers model): the engine starts an instance, then awaits
 * `strategy.wait(target, {signal})` before it calls the instance ready.
 *
 *   Runtime.start() ──> StartedInstance ──> WaitStrategy.wait(target) ──> WaitResult {address?, registryId?}
 *                                               │ rejects NOT_READY: deadline passed / instance exited
 *                                               └ rejects signal.reason: the caller aborted
 *
 * Start the wait right after start() resolves: log lines are not replayed to late subscribers.
 */
import type { StartedInstance } from '../runtime.ts';

export interface WaitTarget {
  instance: StartedInstance;
  /** The MICRO_SERVER_ID the engine set; the registry node id is `<service name>-<serverId>`. */
  serverId: string;
  /** The MICRO_SERVER_ADVERTISE the engine set (host:port), to name an entry registered there under a wrong id. */
  advertise?: string;
  /** host:port (or http://host:port) of the registry's Consul HTTP API. */
  registryAddress: string;
  /** Host the instance serves on (127.0.0.1 for worker and process instances). */
  host: string;
  /** The port the engine gave the instance, when it chose one. */
  port?: number;
}

export interface WaitResult {
  /** host:port learned while waiting, e.g. from the registry. */
  address?: string;
  /** The registry's service id (`go.micro.srv.greeter-<serverId>`). */
  registryId?: string;
}

export interface WaitStrategy {
  /**
   * Resolves once the instance is ready. Rejects with MicroDevError NOT_READY naming the instance and the
   * limit when the deadline passes or the instance exits first; with signal.reason when aborted. Leaves
   * nothing running (timers, sockets, listeners) once settled.
   */
  wait(target: WaitTarget, options: { signal: AbortSignal }): Promise<WaitResult>;
  /** One line for logs and the dashboard: `HTTP GET /health -> 200 (deadline 3000ms)`. */
  describe(): string;
}
