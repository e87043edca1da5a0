/**
 * Run-to-run spread of scenario verdict numbers: every built-in scenario (or the ones named) N times with
 * the same seed, one after the other, and for each measured number (availability, time to detect, time to
 * recover, p99 ...) the min / median / max / spread over the runs, plus how often each verdict held.
 * The targets must be the same in every run (seeded); the numbers are wall-clock and will move with load.
 *
 * Usage: node_modules/.bin/node bench/scenarios/verdict-spread.ts [runs=5] [scenario ...]
 * Writes bench/results/scenarios.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listScenarios } from '../../runner/scenarios/list-scenarios.ts';
import { loadScenario } from '../../runner/scenarios/load-scenario.ts';
import { runScenario } from '../../runner/scenarios/run-scenario.ts';

const runs = Number(process.argv[2] ?? 5);
const names = process.argv.length > 3 ? process.argv.slice(3) : (await listScenarios()).map((s) => s.name);
const here = dirname(fileURLToPath(import.meta.url));

interface Row {
  scenario: string;
  check: string;
  values: (number | null)[];
  held: number;
}

const rows: Row[] = [];
const verdicts: Record<string, string[]> = {};
const targets: Record<string, string[]> = {};
const durations: Record<string, number[]> = {};
for (const name of names) {
  const scenario = await loadScenario(name);
  for (let i = 0; i < runs; i++) {
    const result = await runScenario(scenario);
    (verdicts[name] ??= []).push(result.verdict);
    (targets[name] ??= []).push(JSON.stringify(result.steps.map((s) => s.targets)));
    (durations[name] ??= []).push(result.durationMs);
    const checks = [...result.hypothesis.before, ...result.expectations, ...result.hypothesis.after];
    for (const c of checks) {
      let row = rows.find((r) => r.scenario === name && r.check === c.label);
      if (!row) rows.push((row = { scenario: name, check: c.label, values: [], held: 0 }));
      row.values.push(c.value === null ? null : Math.round(c.value * 100) / 100);
      if (c.ok) row.held++;
    }
    process.stdout.write(`${name} run ${i + 1}/${runs}: ${result.verdict} (${(result.durationMs / 1000).toFixed(1)} s)\n`);
  }
}

const stats = (values: (number | null)[]) => {
  const xs = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (xs.length === 0) return { min: null, median: null, max: null, spread: null };
  return { min: xs[0]!, median: xs[Math.floor((xs.length - 1) / 2)]!, max: xs.at(-1)!, spread: Math.round((xs.at(-1)! - xs[0]!) * 100) / 100 };
};
const summary = rows.map((r) => ({ ...r, ...stats(r.values) }));
const result = {
  bench: 'scenario verdict spread',
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadavgAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
  runs,
  scenarios: names.map((n) => ({
    name: n,
    verdicts: verdicts[n],
    sameTargetsEveryRun: new Set(targets[n]).size === 1,
    targets: JSON.parse(targets[n]![0]!),
    seconds: durations[n]!.map((d) => Math.round(d / 100) / 10),
  })),
  checks: summary,
};
mkdirSync(join(here, '..', 'results'), { recursive: true });
writeFileSync(join(here, '..', 'results', 'scenarios.json'), JSON.stringify(result, null, 2) + '\n');

for (const n of names) {
  process.stdout.write(`\n${n}: verdicts ${verdicts[n]!.join(' ')}; same targets every run: ${new Set(targets[n]).size === 1}\n`);
  for (const r of summary.filter((s) => s.scenario === n)) {
    process.stdout.write(`  ${`${r.held}/${runs}`.padEnd(5)} ${r.check.padEnd(62)} min ${r.min} median ${r.median} max ${r.max} spread ${r.spread}\n`);
  }
}
