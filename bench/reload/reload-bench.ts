/**
 * Hot reload numbers (issue: a save reaches a response in under a second; no request fails).
 *
 *   save-to-response: greeter-srv (2 replicas, worker runtime) under a real Orchestrator with `watch`; each
 *     edit changes the greeting; a client polls the gateway back to back from the moment the file is written
 *     until the first answer carries the new greeting. Median over N edits, with the product's default
 *     debounce (300 ms) and with a short one (50 ms) to show what the debounce costs.
 *   zero-failure: 200 req/s paced through the gateway across 10 consecutive reloads; every non-200 or
 *     transport error counts as failed.
 *
 *   node bench/reload/reload-bench.ts [edits=10]     -> bench/results/reload.json
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { startReloadFixture, type ReloadFixture } from '../../test/reload/reload-fixture.ts';
import { steadyLoad } from '../../test/reload/steady-load.ts';

const edits = Number(process.argv[2] ?? 10);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number) => Math.round(x);

async function runAfter(f: ReloadFixture, savedAt: number, timeoutMs = 15_000) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const run = f.events.find((e) => e.startedAt > savedAt);
    if (run) return run;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no reload run within ${timeoutMs} ms of a save`);
}

async function saveToResponse(debounce: string) {
  const f = await startReloadFixture({ runtime: 'worker', replicas: 2, debounce });
  const firstResponseMs: number[] = [];
  const reloadMs: number[] = [];
  try {
    for (let i = 1; i <= edits; i++) {
      const expected = `{"message":"Edit${i} John"}`;
      const savedAt = performance.now();
      await f.edit(`Edit${i}`);
      let seen = false;
      while (!seen && performance.now() - savedAt < 10_000) {
        seen = (await f.hello()).body === expected;
      }
      if (!seen) throw new Error(`edit ${i}: the new answer did not arrive within 10 s`);
      firstResponseMs.push(performance.now() - savedAt);
      const run = await runAfter(f, savedAt);
      if (run.outcome !== 'reloaded') throw new Error(`edit ${i}: reload ${run.outcome}`);
      reloadMs.push(run.durationMs);
      process.stdout.write(`debounce ${debounce}, edit ${i}/${edits}: first new response after ${round(firstResponseMs.at(-1)!)} ms (both replicas swapped ${round(run.durationMs)} ms after the debounce)\n`);
    }
  } finally {
    await f.close();
  }
  return {
    debounce,
    medianSaveToFirstResponseMs: round(median(firstResponseMs)),
    maxSaveToFirstResponseMs: round(Math.max(...firstResponseMs)),
    medianReloadBothReplicasMs: round(median(reloadMs)),
    samplesMs: firstResponseMs.map(round),
  };
}

async function zeroFailure(rate: number, reloads: number) {
  const f = await startReloadFixture({ runtime: 'worker', replicas: 2, debounce: '300ms' });
  try {
    const load = steadyLoad(`${f.gateway}/greeter/say/hello?name=John`, { ratePerSecond: rate, maxRequests: rate * 120 });
    const t0 = performance.now();
    const outcomes: string[] = [];
    for (let i = 1; i <= reloads; i++) {
      const savedAt = performance.now();
      await f.edit(`Load${i}`);
      outcomes.push((await runAfter(f, savedAt)).outcome);
    }
    const result = await load.stop();
    const seconds = (performance.now() - t0) / 1000;
    const versions = new Set(result.bodies).size;
    process.stdout.write(`${rate} req/s across ${reloads} reloads: ${result.sent} sent, ${result.failures.length} failed, ${versions} versions answered\n`);
    return {
      targetRatePerSecond: rate,
      achievedRatePerSecond: round(result.sent / seconds),
      reloads,
      reloadOutcomes: outcomes,
      requests: result.sent,
      failed: result.failures.length,
      failures: result.failures.slice(0, 5),
      versionsAnswered: versions,
    };
  } finally {
    await f.close();
  }
}

const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  loadAverageAtStart: Number(os.loadavg()[0].toFixed(2)),
  saveToFirstResponse: {
    target: 'median < 1000 ms with the default debounce',
    runtime: 'worker',
    replicas: 2,
    edits,
    runs: [await saveToResponse('300ms'), await saveToResponse('50ms')],
  },
  zeroFailure: { target: '0 failed', ...(await zeroFailure(200, 10)) },
};
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/reload.json', JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify({ saveToFirstResponse: result.saveToFirstResponse.runs.map(({ samplesMs: _, ...r }) => r), zeroFailure: { ...result.zeroFailure, failures: undefined, reloadOutcomes: undefined } }, null, 2));
