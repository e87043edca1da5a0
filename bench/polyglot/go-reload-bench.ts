/**
 * Go service: save -> new version answering, `go build` included (issue 11: median of 5 under 3 s).
 *
 *   micro-dev arm: examples/polyglot in a temp folder under a real Orchestrator with hot reload (its default
 *     watch: debounce 300 ms, `go build -o bin/hello-go .` in the service folder, blue-green swap). Each edit
 *     changes hello-go's greeting; a client polls GET /hello-go/say/hello through the gateway back to back
 *     from the moment the file is written until the first answer carries the new greeting.
 *   baseline arm (none of our code): the same edit to a second copy of the same source, then the same
 *     `go build` run by hand; from the write until the build exits. What micro-dev adds is the difference.
 *   The arms alternate edit by edit, so a busy machine weighs on both alike.
 *
 *   node bench/polyglot/go-reload-bench.ts [edits=5]     -> bench/results/go-reload.json
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import { startWatching, type ReloadEvent } from '../../runner/reload/service-watcher.ts';
import { copyPolyglotExample } from '../../test/examples/polyglot-copy.ts';
import { repoRoot } from '../../test/support/cli-process.ts';

const edits = Number(process.argv[2] ?? 5);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
async function waitFor<T>(get: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (let v = get(); performance.now() < deadline; v = get()) {
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nothing within ${timeoutMs} ms`);
}
const GREETING = 'return "Hello " + name + " from " + shortName';
const withVersion = (text: string, v: string) => text.replace(/return "Hello " \+ name \+ " from " \+ shortName( \+ " v\d+")?/, `${GREETING} + " ${v}"`);

const copy = await copyPolyglotExample();
const topology = await loadTopology(copy.file);
const orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology) });
const events: (ReloadEvent & { at: number })[] = [];
await orchestrator.start();
const watching = await startWatching(orchestrator, topology, { onReload: (e) => events.push({ ...e, at: performance.now() }) });
const gateway = orchestrator.snapshot().urls.gateway;
const goFile = join(copy.dir, 'services/hello-go/main.go');

const baselineDir = await mkdtemp(join(os.tmpdir(), 'micro-dev-go-baseline-'));
await cp(join(repoRoot, 'examples/polyglot/services/hello-go'), baselineDir, { recursive: true, filter: (s) => !s.includes('/bin') });
spawnSync('go', ['build', '-o', 'bin/hello-go', '.'], { cwd: baselineDir }); // warm the build cache like the running copy's first build

const saveToAnswer: number[] = [];
const buildInReload: number[] = [];
const bareBuild: number[] = [];
try {
  for (let i = 1; i <= edits; i++) {
    // micro-dev: save -> first answer with the new greeting.
    const v = `v${i}`;
    const expected = `{"message":"Hello J from hello-go ${v}"}`;
    const text = await readFile(goFile, 'utf8');
    const savedAt = performance.now();
    await writeFile(goFile, withVersion(text, v));
    let seen = false;
    while (!seen && performance.now() - savedAt < 30_000) {
      const res = await fetch(`${gateway}/hello-go/say/hello?name=J`).catch(() => undefined);
      seen = (await res?.text()) === expected;
    }
    if (!seen) throw new Error(`edit ${i}: the new answer did not arrive within 30 s`);
    saveToAnswer.push(performance.now() - savedAt);
    // The reload's event comes once the old generation has drained, after the first new answer.
    const run = await waitFor(() => events.find((e) => e.at > savedAt && e.service === 'hello-go'));
    if (run.outcome !== 'reloaded') throw new Error(`edit ${i}: reload ${run.outcome}`);
    if (run.buildMs !== undefined) buildInReload.push(run.buildMs);

    // Baseline: the same edit and the same go build, by hand.
    const baseFile = join(baselineDir, 'main.go');
    const t0 = performance.now();
    await writeFile(baseFile, withVersion(await readFile(baseFile, 'utf8'), v));
    const built = spawnSync('go', ['build', '-o', 'bin/hello-go', '.'], { cwd: baselineDir });
    if (built.status !== 0) throw new Error(`baseline go build failed: ${built.stderr}`);
    bareBuild.push(performance.now() - t0);
    console.log(`edit ${i}: save -> new answer ${Math.round(saveToAnswer.at(-1)!)} ms (build in reload ${Math.round(buildInReload.at(-1) ?? -1)} ms); bare go build ${Math.round(bareBuild.at(-1)!)} ms`);
  }
} finally {
  await watching.close();
  await orchestrator.shutdown();
}

const result = {
  bench: 'go-reload',
  what: 'Go service (examples/polyglot hello-go, runtime process, watch.build go build): save -> first answer of the new version through the gateway; baseline: the same edit + the same go build by hand',
  edits,
  target: { medianSaveToAnswerMs: 3000 },
  medianSaveToAnswerMs: Math.round(median(saveToAnswer)),
  medianBuildInReloadMs: buildInReload.length ? Math.round(median(buildInReload)) : null,
  medianBareGoBuildMs: Math.round(median(bareBuild)),
  addedByMicroDevMs: Math.round(median(saveToAnswer) - median(bareBuild)),
  saveToAnswerMs: saveToAnswer.map(Math.round),
  bareGoBuildMs: bareBuild.map(Math.round),
  debounceMs: topology.services.find((s) => s.name === 'hello-go')!.watch!.debounceMs,
  go: spawnSync('go', ['version']).stdout.toString().trim(),
  machine: { cpus: os.cpus().length, loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100) },
  at: new Date().toISOString(),
};
await mkdir(join(repoRoot, 'bench/results'), { recursive: true });
await writeFile(join(repoRoot, 'bench/results/go-reload.json'), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
