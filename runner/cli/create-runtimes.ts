import type { RuntimeKind, Topology } from '../config/topology.ts';
import type { Runtime } from '../runtimes/runtime.ts';
import { WorkerRuntime } from '../runtimes/worker/worker-runtime.ts';
import { ProcessRuntime } from '../runtimes/process/process-runtime.ts';

/** The runtimes a topology needs; the container runtime (and Docker) is loaded only when a service asks. */
export async function createRuntimes(topology: Topology): Promise<Partial<Record<RuntimeKind, Runtime>>> {
  const runtimes: Partial<Record<RuntimeKind, Runtime>> = {
    worker: new WorkerRuntime(),
    process: new ProcessRuntime(),
  };
  if (topology.services.some((s) => s.runtime === 'container') || topology.registry.mode === 'container') {
    // Containers a dead micro-dev left behind go first (labelled with their owner's pid).
    const { sweepContainers } = await import('../runtimes/container/sweep.ts');
    await sweepContainers().catch(() => 0);
  }
  if (topology.services.some((s) => s.runtime === 'container')) {
    const { ContainerRuntime } = await import('../runtimes/container/container-runtime.ts');
    runtimes.container = new ContainerRuntime({ topology: topology.name });
  }
  return runtimes;
}
