import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { threadHeaps, trackThread } from './live-threads.ts';

describe('threadHeaps', () => {
  it("lists a tracked thread's V8 heap while it runs, and not once it has exited", async () => {
    const worker = new Worker('const keep = []; for (let i = 0; i < 1e5; i++) keep.push({ i }); setInterval(() => keep.length, 1000);', { eval: true });
    trackThread(worker, 'svc-1');
    await once(worker, 'online');
    const [heap] = (await threadHeaps()).filter((t) => t.threadId === worker.threadId);
    expect(heap).toMatchObject({ name: 'svc-1', threadId: worker.threadId });
    expect(heap!.heapUsed).toBeGreaterThan(0);
    expect(heap!.physical).toBeGreaterThan(0);
    expect(heap!.heapTotal).toBeGreaterThanOrEqual(heap!.heapUsed);
    await worker.terminate();
    expect((await threadHeaps()).some((t) => t.threadId === worker.threadId)).toBe(false);
  });
});
