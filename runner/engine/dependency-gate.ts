/**
 * DependencyGate: lets a service start as soon as its own dependencies meet their condition, not when a
 * whole wave is ready (process-compose's `process_started` / `process_healthy`).
 *
 *   supervisor reports ──> notify() ──> every open wait re-checks its condition ──> resolves once met
 *
 * A wait is cancelled through its AbortSignal (the engine aborts them all on shutdown).
 */
import type { DependencyCondition } from '../config/topology.ts';
import type { InstanceState, InstanceView } from './api.ts';

/** States in which an instance's runtime has started (what `started` waits for). */
const startedStates: readonly InstanceState[] = ['starting', 'ready', 'unhealthy', 'paused'];

/** True when every instance of the service meets the condition (and it has at least one). */
export function conditionMet(instances: readonly InstanceView[], condition: DependencyCondition): boolean {
  if (instances.length === 0) return false;
  return instances.every((i) => (condition === 'started' ? startedStates.includes(i.state) : i.state === 'ready'));
}

export class DependencyGate {
  readonly #instancesOf: (service: string) => InstanceView[];
  readonly #checks = new Set<() => void>();

  /** `instancesOf(service)`: the current views of a service's instances. */
  constructor(instancesOf: (service: string) => InstanceView[]) {
    this.#instancesOf = instancesOf;
  }

  /** Re-checks every open wait; call after each instance report. */
  notify(): void {
    for (const check of [...this.#checks]) check();
  }

  /** Resolves once `service` meets `condition`; rejects with the signal's reason when aborted. */
  wait(service: string, condition: DependencyCondition, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        this.#checks.delete(check);
        signal.removeEventListener('abort', aborted);
      };
      const check = () => {
        if (!conditionMet(this.#instancesOf(service), condition)) return;
        done();
        resolve();
      };
      const aborted = () => {
        done();
        reject(signal.reason);
      };
      if (signal.aborted) return reject(signal.reason);
      this.#checks.add(check);
      signal.addEventListener('abort', aborted, { once: true });
      check();
    });
  }
}
