/**
 * micro-dev scenario list | run NAME... | --all [--json F] [--junit F] [--seed N] [-c FILE]
 * Exit 0: every expectation held; 1: one failed (or a hypothesis deviated); 2: could not run.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCli } from '../cli-args.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { listScenarios } from '../../scenarios/list-scenarios.ts';
import { loadScenario } from '../../scenarios/load-scenario.ts';
import { runScenario, type ScenarioResult } from '../../scenarios/run-scenario.ts';
import { exitCodeOf, jsonReport, junitReport, summaryTable } from '../../scenarios/scenario-report.ts';

export const usage = 'micro-dev scenario list | scenario run NAME...|--all [--json FILE] [--junit FILE] [--seed N] [-c FILE]';
export const help = [
  'Runs failure scenarios, each on a topology of its own: the repository micro.dev.yaml (or -c FILE) with the',
  "scenario's overrides and every port a free one; load through the gateway, faults on a timeline, a verdict.",
  '  list            the built-in scenarios (scenarios/*.yaml) with their description',
  '  run NAME...     built-in names or paths to scenario files; --all runs every built-in one',
  '  --seed N        overrides every scenario\'s seed (target choices replay exactly with the same seed)',
  '  --json FILE     full report (results, numbers, timelines)   --junit FILE  one test case per expectation',
  'Exit 0 when every expectation held, 1 when one failed, 2 when a scenario could not run.',
].join('\n');

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('scenario', args, {
    all: { type: 'boolean' },
    json: { type: 'string' },
    junit: { type: 'string' },
    seed: { type: 'string' },
    base: { type: 'string' }, // alias of -c
  });
  const [sub, ...names] = positionals;
  if (sub === 'list') {
    const entries = await listScenarios();
    const width = Math.max(...entries.map((e) => e.name.length), 8);
    for (const e of entries) process.stdout.write(`${e.name.padEnd(width)}  ${e.description}\n`);
    return 0;
  }
  if (sub !== 'run') throw new MicroDevError('BAD_ARGUMENTS', `scenario: expected "list" or "run", got ${sub ? `"${sub}"` : 'nothing'}`, { hints: [usage] });
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new MicroDevError('BAD_ARGUMENTS', `scenario run: --seed must be an integer 0..4294967295, got "${values.seed}"`);
  }
  const selected = values.all ? (await listScenarios()).map((e) => e.name) : names;
  if (selected.length === 0) throw new MicroDevError('BAD_ARGUMENTS', 'scenario run: name at least one scenario, or --all', { hints: ['micro-dev scenario list shows them'] });
  // Check every file before running any: a typo in the 5th should not cost the first four's minutes.
  const scenarios = await Promise.all(selected.map((n) => loadScenario(n, (values.config ?? values.base) ? { baseTopology: (values.config ?? values.base)! } : {})));

  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      if (abort.signal.aborted) break;
      results.push(await runScenario(scenario, { ...(seed !== undefined ? { seed } : {}), signal: abort.signal, onProgress: (l) => process.stdout.write(`${l}\n`) }));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.stdout.write(summaryTable(results));
  if (values.json) await writeReport(values.json, jsonReport(results));
  if (values.junit) await writeReport(values.junit, junitReport(results));
  return abort.signal.aborted ? 2 : exitCodeOf(results);
}

async function writeReport(file: string, text: string): Promise<void> {
  await writeFile(path.resolve(file), text);
  process.stdout.write(`wrote ${file}\n`);
}
