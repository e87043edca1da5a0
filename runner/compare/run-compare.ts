/**
 * runCompare: every drill against every registry asked for, one scenario run at a time through the
 * scenario runner (runner/scenarios: checkScenarioText, runScenario), then one table: a row per question,
 * a column per registry. A drill that does not apply to a registry (a split of one node) is not run and its
 * cells say why; a drill that could not run says so; nothing is filled in.
 */
import { readFile } from 'node:fs/promises';
import { formatProblem } from '../config/config-problem.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { checkScenarioText } from '../scenarios/check-scenario-text.ts';
import { runScenario, type ScenarioResult } from '../scenarios/run-scenario.ts';
import { DEFAULT_TOPOLOGY_FILE, BUILTIN_SCENARIO_DIR } from '../scenarios/scenario-paths.ts';
import { drillText, type DrillName } from './compare-drills.ts';
import { measureDrill, ROWS, type Cell, type RowId } from './measure-drill.ts';
import { kindSetup, type RegistryKind } from './registry-kinds.ts';

export interface CompareOptions {
  registries: RegistryKind[];
  drills: DrillName[];
  seed?: number;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

export interface CompareRun {
  registry: RegistryKind;
  drill: DrillName;
  verdict: ScenarioResult['verdict'] | 'skipped';
  durationMs: number;
  skipped?: string;
  error?: string;
}

export interface CompareReport {
  seed: number | null;
  startedAt: string;
  wallMs: number;
  registries: { kind: RegistryKind; timeScale: number; model: string }[];
  drills: DrillName[];
  rows: { id: RowId; label: string; drill: DrillName; cells: Partial<Record<RegistryKind, Cell>> }[];
  runs: CompareRun[];
}

export async function runCompare(options: CompareOptions): Promise<CompareReport> {
  const started = Date.now();
  const base = { text: await readFile(DEFAULT_TOPOLOGY_FILE, 'utf8'), file: DEFAULT_TOPOLOGY_FILE };
  const cells = new Map<RowId, Partial<Record<RegistryKind, Cell>>>();
  const runs: CompareRun[] = [];
  const registries = options.registries.map((kind) => {
    const setup = kindSetup(kind);
    if (!setup) throw new MicroDevError('BAD_ARGUMENTS', `compare: registry ${kind} is not available in this build`);
    return setup;
  });
  // Every drill text is checked before the first run: a problem costs no minutes.
  const plan = registries.flatMap((setup) =>
    options.drills.map((drill) => {
      const made = drillText(drill, setup);
      if ('skip' in made) return { setup, drill, skip: made.skip };
      const file = `${BUILTIN_SCENARIO_DIR}/compare-${drill}-${setup.kind}.yaml`;
      const check = checkScenarioText(made.text, file, base);
      if (!check.scenario) throw new MicroDevError('INTERNAL', `compare drill ${drill} for ${setup.kind} is invalid:\n${check.problems.map((p) => formatProblem(p)).join('\n')}`);
      return { setup, drill, scenario: { ...check.scenario, name: `compare-${drill}-${setup.kind}` } };
    }),
  );
  for (const p of plan) {
    if (options.signal?.aborted) break;
    const put = (id: RowId, cell: Cell) => cells.set(id, { ...cells.get(id), [p.setup.kind]: cell });
    if (!p.scenario) {
      for (const row of ROWS.filter((r) => r.drill === p.drill)) put(row.id, { text: `— (${p.skip})`, value: null, skipped: p.skip });
      runs.push({ registry: p.setup.kind, drill: p.drill, verdict: 'skipped', durationMs: 0, skipped: p.skip });
      continue;
    }
    options.onProgress?.(`[compare] ${p.drill} on ${p.setup.kind}`);
    const result = await runScenario(p.scenario, {
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    for (const [id, cell] of Object.entries(measureDrill(p.drill, result, p.setup.timeScale, p.setup.members?.isolate, p.setup.members?.timeScale))) put(id as RowId, cell);
    runs.push({ registry: p.setup.kind, drill: p.drill, verdict: result.verdict, durationMs: result.durationMs, ...(result.error ? { error: result.error } : {}) });
  }
  return {
    seed: options.seed ?? null,
    startedAt: new Date(started).toISOString(),
    wallMs: Date.now() - started,
    registries: registries.map((s) => ({ kind: s.kind, timeScale: s.timeScale, model: s.model })),
    drills: options.drills,
    rows: ROWS.filter((r) => options.drills.includes(r.drill)).map((r) => ({ id: r.id, label: r.label, drill: r.drill, cells: cells.get(r.id) ?? {} })),
    runs,
  };
}

/** The report as a Markdown table (what the terminal shows and `--markdown FILE` writes). */
export function compareMarkdown(report: CompareReport): string {
  const kinds = report.registries.map((r) => r.kind);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `| measured | ${kinds.join(' | ')} |`,
    `|---|${kinds.map(() => '---').join('|')}|`,
    ...report.rows.map((r) => `| ${esc(r.label)} | ${kinds.map((k) => esc(r.cells[k]?.text ?? '— (not run)')).join(' | ')} |`),
    '',
    ...report.registries.map((r) => `- **${r.kind}**: ${r.model}; time scale ${r.timeScale} (a time is shown as real time = wall time / ${r.timeScale}, then the wall time measured).`),
    `- ${report.runs.filter((r) => r.verdict !== 'skipped').length} drill runs in ${(report.wallMs / 1000).toFixed(0)} s${report.seed !== null ? `, seed ${report.seed}` : ''}; load: POST /rpc through the gateway at 100/s.`,
  ];
  const broken = report.runs.filter((r) => r.error);
  for (const b of broken) lines.push(`- ${b.drill} on ${b.registry} could not run: ${b.error}`);
  return `${lines.join('\n')}\n`;
}
