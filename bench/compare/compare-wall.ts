/**
 * `micro-dev compare` wall time for the built-in set (every drill, every registry of this build), run as a
 * user runs it (bin/micro-dev.js). Target: under 3 minutes. Writes bench/results/compare.json with the wall
 * time, each drill run's duration, the machine's load, and the table it printed (so the README's run can be
 * traced to a result).
 *
 * Usage: node_modules/.bin/node bench/compare/compare-wall.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'compare-bench-'));
const json = join(dir, 'compare.json');
const markdown = join(dir, 'compare.md');
const loadAtStart = loadavg()[0];
const t0 = performance.now();
const code = await new Promise<number | null>((resolve) => {
  const child = spawn(process.execPath, [join(root, 'bin/micro-dev.js'), 'compare', '--json', json, '--markdown', markdown], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (c) => resolve(c));
});
const wallMs = performance.now() - t0;
if (code !== 0) throw new Error(`micro-dev compare exited ${code}`);
const report = JSON.parse(readFileSync(json, 'utf8')) as { runs: { registry: string; drill: string; verdict: string; durationMs: number }[] };
const result = {
  wallMs: Math.round(wallMs),
  targetMs: 180_000,
  runs: report.runs.map((r) => ({ registry: r.registry, drill: r.drill, verdict: r.verdict, durationMs: r.durationMs })),
  table: readFileSync(markdown, 'utf8'),
  machine: { cpus: cpus().length, loadAvg1mAtStart: Math.round(loadAtStart * 100) / 100, loadAvg1mAtEnd: Math.round(loadavg()[0] * 100) / 100 },
  node: process.version,
  at: new Date().toISOString(),
};
writeFileSync(join(root, 'bench', 'results', 'compare.json'), `${JSON.stringify(result, null, 2)}\n`);
rmSync(dir, { recursive: true, force: true });
console.log(`compare wall time: ${(wallMs / 1000).toFixed(1)} s (target 180 s), load ${result.machine.loadAvg1mAtStart} -> ${result.machine.loadAvg1mAtEnd}`);
console.log(result.table);
