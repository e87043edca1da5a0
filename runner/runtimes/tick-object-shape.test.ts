import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { keepTickObjectShape, keptTickObject } from './tick-object-shape.cjs';
import { newThread } from './worker/new-thread.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const MODULE = fileURLToPath(new URL('./tick-object-shape.cjs', import.meta.url));

describe('keepTickObjectShape', () => {
  it('keeps one of nextTick’s own objects (callback, args and the async id symbols), and lets it go when stopped', async () => {
    const stop = keepTickObjectShape();
    await nextTurn();
    const kept = keptTickObject();
    expect(kept).toBeDefined();
    expect(Object.keys(kept!)).toEqual(['callback', 'args']);
    expect(Object.getOwnPropertySymbols(kept!).map((s) => s.description)).toEqual(expect.arrayContaining(['async_id_symbol', 'trigger_async_id_symbol']));
    stop();
    expect(keptTickObject()).toBeUndefined();
    await nextTurn();
    expect(keptTickObject()).toBeUndefined();
  });

  it('captures afresh every interval', async () => {
    const stop = keepTickObjectShape(20);
    await nextTurn();
    const first = keptTickObject();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(keptTickObject()).toBeDefined();
    expect(keptTickObject()).not.toBe(first);
    stop();
  });

  it('is kept while any caller keeps it (up and a scenario stage in one thread), each release counted once', async () => {
    const letUpGo = keepTickObjectShape();
    const letStageGo = keepTickObjectShape();
    await nextTurn();
    expect(keptTickObject()).toBeDefined();
    letStageGo();
    letStageGo();
    await nextTurn();
    expect(keptTickObject()).toBeDefined();
    letUpGo();
    expect(keptTickObject()).toBeUndefined();
  });

  it('what it keeps has the hidden class of the ticks made after memory-reducing GCs (V8 natives, in a child node)', () => {
    // %HaveSameMap: the kept object and a tick made after three last-resort GCs share their V8 map, so the
    // maps nextTick builds are the kept ones (were the kept object anything else, or nextTick's shape
    // another, the maps would differ).
    const script = `
      import { executionAsyncResource } from 'node:async_hooks';
      const { keepTickObjectShape, keptTickObject } = await import(${JSON.stringify(MODULE)});
      keepTickObjectShape();
      await new Promise((r) => setImmediate(r));
      for (let i = 0; i < 3; i++) gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      const fresh = await new Promise((r) => process.nextTick(() => r(executionAsyncResource())));
      console.log(JSON.stringify({ same: %HaveSameMap(keptTickObject(), fresh), distinct: keptTickObject() !== fresh }));
    `;
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ same: true, distinct: true });
  });

  it('an instance thread keeps one from its preload on, before its own code runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'micro-dev-tick-shape-'));
    try {
      const file = join(dir, 'instance.mjs');
      writeFileSync(
        file,
        `import { createRequire } from 'node:module';
        import { parentPort } from 'node:worker_threads';
        const { keptTickObject } = createRequire(import.meta.url)(${JSON.stringify(MODULE)});
        setImmediate(() => parentPort.postMessage(Object.keys(keptTickObject() ?? {})));`,
      );
      const worker = newThread(file, { env: {}, name: 'tick-shape-test' });
      const keys = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      expect(keys).toEqual(['callback', 'args']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
