/**
 * micro-dev scenario list | run NAME... | --all [--service S] [--path P | --rpc JSON] [--json F] [--junit F] [--seed N] [-c FILE]
 *   [--against URL [--compose FILE | --chaos-mesh [--namespace N]]]   (against-stage.ts: a system that already runs)
 * micro-dev scenario export chaos-mesh ... (scenario-export.ts)
 * The base topology is -c FILE, else ./micro.dev.yaml when there is one (the user's project), else the
 * built-in greeter. --service/--path/--rpc aim the built-in drills at the user's own service and request.
 * Exit 0: every expectation held; 1: one failed (or a hypothesis deviated); 2: could not run (or cannot apply).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { configPath, parseCli } from '../cli-args.ts';
import { againstStage, type StageFactory } from '../against-stage.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { listScenarios } from '../../scenarios/list-scenarios.ts';
import { loadScenario } from '../../scenarios/load-scenario.ts';
import { NotApplicable, type Aim } from '../../scenarios/aim-scenario.ts';
import { runScenario, type ScenarioResult } from '../../scenarios/run-scenario.ts';
import { exitCodeOf, jsonReport, junitReport, summaryTable } from '../../scenarios/scenario-report.ts';

export const usage = 'micro-dev scenario list | scenario run NAME...|--all [--service S] [--path P|--rpc JSON] [--json FILE] [--junit FILE] [--seed N] [-c FILE] [--against URL [--compose FILE|--chaos-mesh [--namespace N]]]';
export const help = [
  'Runs failure scenarios, each on a topology of its own: ./micro.dev.yaml (or -c FILE; the built-in greeter without one) with the',
  "scenario's overrides and every port a free one; load through the gateway, faults on a timeline, a verdict.",
  '  list            the built-in scenarios (scenarios/*.yaml) with their description',
  '  run NAME...     built-in names or paths to scenario files; --all runs every built-in one',
  '  --seed N        overrides every scenario\'s seed (target choices replay exactly with the same seed)',
  '  --service S     aims the drills at service S (instead of greeter-srv; S runs at least 2 replicas)',
  '  --path P        the load sends GET P through the gateway (e.g. /orders/say/hello?name=John)',
  '  --rpc JSON      the load sends POST /rpc JSON (e.g. {"service":"go.micro.api.orders","endpoint":"Greeter.Hello","request":{}})',
  '  --json FILE     full report (results, numbers, timelines)   --junit FILE  one test case per expectation',
  '  --against URL   runs the load and the expectations against a gateway that already runs (staging): faults through',
  '                  a running `up` of -c FILE whose gateway is URL, --compose FILE (docker commands on the Compose',
  '                  export) or --chaos-mesh [--namespace N] (kubectl, Chaos Mesh); else it only observes, and what',
  '                  it cannot see is reported unjudged (exit 2), never passed',
  'Exit 0 when every expectation held, 1 when one failed, 2 when a scenario could not run or not be judged whole.',
].join('\n');

export async function run(args: string[]): Promise<number> {
  // export has options of its own (-o, --namespace): it parses its arguments itself.
  if (args[0] === 'export') return (await import('./scenario-export.ts')).runExport(args.slice(1));
  const { values, positionals } = parseCli('scenario', args, {
    all: { type: 'boolean' },
    json: { type: 'string' },
    junit: { type: 'string' },
    seed: { type: 'string' },
    base: { type: 'string' }, // alias of -c
    service: { type: 'string' },
    path: { type: 'string' },
    rpc: { type: 'string' },
    against: { type: 'string' },
    'chaos-mesh': { type: 'boolean' },
    namespace: { type: 'string' },
    compose: { type: 'string' },
  });
  const [sub, ...names] = positionals;
  if (sub === 'list') {
    const entries = await listScenarios();
    const width = Math.max(...entries.map((e) => e.name.length), 8);
    for (const e of entries) process.stdout.write(`${e.name.padEnd(width)}  ${e.description}\n`);
    return 0;
  }
  if (sub !== 'run') throw new MicroDevError('BAD_ARGUMENTS', `scenario: expected "list", "run" or "export", got ${sub ? `"${sub}"` : 'nothing'}`, { hints: [usage] });
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new MicroDevError('BAD_ARGUMENTS', `scenario run: --seed must be an integer 0..4294967295, got "${values.seed}"`);
  }
  const selected = values.all ? (await listScenarios()).map((e) => e.name) : names;
  if (selected.length === 0) throw new MicroDevError('BAD_ARGUMENTS', 'scenario run: name at least one scenario, or --all', { hints: ['micro-dev scenario list shows them'] });
  const aim = aimOf(values);
  const given = values.config ?? values.base;
  // The user's project: its own micro.dev.yaml. Without one, the built-in greeter topology.
  const baseTopology = given ?? (existsSync('micro.dev.yaml') ? path.resolve('micro.dev.yaml') : undefined);
  // Check every file before running any: a typo in the 5th should not cost the first four's minutes.
  // --compose: every service of the export is a container, so a worker service can be paused there too.
  const containers = values.compose !== undefined && values.against !== undefined;
  const settled = await Promise.allSettled(selected.map((n) => loadScenario(n, { ...(baseTopology ? { baseTopology } : {}), aim, ...(containers ? { containers } : {}) })));
  // --all skips a drill that ships its own code of the greeter and so cannot aim at your service (canary);
  // naming it still fails with the reason.
  const skipped = values.all ? settled.filter((r) => r.status === 'rejected' && greeterOnly(r.reason)) : [];
  for (const r of skipped) process.stdout.write(`skipped: ${(r as PromiseRejectedResult).reason.message}\n`);
  const loaded = settled.filter((r) => !skipped.includes(r));
  const problems = loaded.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    const text = problems.map((p) => (p instanceof Error ? p.message : String(p))).join('\n');
    throw new MicroDevError('CONFIG_INVALID', `${problems.length} of ${selected.length} scenarios cannot run:\n${text}`);
  }
  const scenarios = loaded.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const against = await againstOf(values);
  for (const s of scenarios) for (const note of s.notes) process.stdout.write(`[${s.name}] ${note}\n`);

  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      if (abort.signal.aborted) break;
      results.push(
        await runScenario(scenario, {
          ...(seed !== undefined ? { seed } : {}),
          ...(against ? { against: against(scenario) } : {}),
          signal: abort.signal,
          onProgress: (l) => process.stdout.write(`${l}\n`),
        }),
      );
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

function greeterOnly(error: unknown): boolean {
  return error instanceof Error && error.cause instanceof NotApplicable && error.cause.greeterOnly;
}

async function writeReport(file: string, text: string): Promise<void> {
  await writeFile(path.resolve(file), text);
  process.stdout.write(`wrote ${file}\n`);
}

/** The stage of --against URL (with --chaos-mesh / --compose), or undefined for a topology of its own. */
async function againstOf(values: { against?: string; 'chaos-mesh'?: boolean; namespace?: string; compose?: string; config?: string }): Promise<StageFactory | undefined> {
  if (values.against === undefined) {
    const stray = values['chaos-mesh'] ? '--chaos-mesh' : values.compose !== undefined ? '--compose' : values.namespace !== undefined ? '--namespace' : undefined;
    if (stray) throw new MicroDevError('BAD_ARGUMENTS', `scenario run: ${stray} goes with --against URL (a system that already runs)`);
    return undefined;
  }
  if (values['chaos-mesh'] && values.compose !== undefined) throw new MicroDevError('BAD_ARGUMENTS', 'scenario run: faults through --chaos-mesh or --compose, not both');
  return againstStage({
    url: values.against,
    chaosMesh: values['chaos-mesh'] ?? false,
    namespace: values.namespace ?? 'default',
    ...(values.compose !== undefined ? { compose: values.compose } : {}),
    configFile: configPath(values.config),
  });
}

/** --service, and the request from --path or --rpc (not both). */
function aimOf(values: { service?: string; path?: string; rpc?: string }): Aim {
  if (values.path !== undefined && values.rpc !== undefined) {
    throw new MicroDevError('BAD_ARGUMENTS', 'scenario run: give the load one request: --path or --rpc, not both');
  }
  const aim: Aim = values.service !== undefined ? { service: values.service } : {};
  if (values.path !== undefined) {
    if (!values.path.startsWith('/')) throw new MicroDevError('BAD_ARGUMENTS', `scenario run: --path must start with /, got "${values.path}"`);
    aim.request = { method: 'GET', path: values.path };
  }
  if (values.rpc !== undefined) {
    let body: unknown;
    try {
      body = JSON.parse(values.rpc);
    } catch (error) {
      throw new MicroDevError('BAD_ARGUMENTS', `scenario run: --rpc is not JSON: ${(error as Error).message}`);
    }
    const b = body as { service?: unknown; endpoint?: unknown } | null;
    if (typeof b?.service !== 'string' || typeof b.endpoint !== 'string') {
      throw new MicroDevError('BAD_ARGUMENTS', 'scenario run: --rpc needs {"service": "...", "endpoint": "...", "request": {...}}');
    }
    aim.request = { method: 'POST', path: '/rpc', body };
  }
  return aim;
}

