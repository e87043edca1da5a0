/**
 * Every instance thread micro-dev has running (newThread registers it, its exit removes it), so `up` can
 * say what each one holds: `GET /api/resources` lists their V8 heaps beside micro-dev's own (issue 13: where
 * the resident memory of the process goes, thread by thread; bench/e2e/memory-soak.ts samples it).
 */
import type { Worker } from 'node:worker_threads';

export interface ThreadHeap {
  /** The thread's name (the instance, or 'micro-dev instance host' for packed instances). */
  name: string;
  threadId: number;
  /** V8's heap of the thread's isolate, in bytes: reserved, in use, resident, plus its malloc'ed and external memory. */
  heapTotal: number;
  heapUsed: number;
  physical: number;
  malloced: number;
  external: number;
}

const live = new Map<Worker, string>();

export function trackThread(worker: Worker, name: string): void {
  live.set(worker, name);
  worker.once('exit', () => live.delete(worker));
}

/** The heap statistics of every live instance thread (a thread that ends while asked is left out). */
export async function threadHeaps(): Promise<ThreadHeap[]> {
  const all = await Promise.all(
    [...live].map(async ([worker, name]) => {
      try {
        const s = await worker.getHeapStatistics();
        return {
          name,
          threadId: worker.threadId,
          heapTotal: s.total_heap_size,
          heapUsed: s.used_heap_size,
          physical: s.total_physical_size,
          malloced: s.malloced_memory,
          external: s.external_memory,
        };
      } catch {
        return undefined;
      }
    }),
  );
  return all.filter((t) => t !== undefined);
}
