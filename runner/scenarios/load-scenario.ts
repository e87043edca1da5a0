/**
 * loadScenario: a scenario by built-in name (`crash-restart` -> scenarios/crash-restart.yaml) or by file
 * path, checked against the default topology (the repository's micro.dev.yaml, or `baseTopology`).
 * With `aim`, a scenario written for the greeter is first pointed at the topology's own service and request
 * (aimScenario); the changes come back as `notes`.
 * Throws MicroDevError CONFIG_NOT_FOUND (names the built-ins) or CONFIG_INVALID (one FILE:LINE:COL line per
 * problem, or why the scenario cannot apply to the topology). Reads files only; starts nothing.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatProblem } from '../config/config-problem.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { checkScenarioText, type Scenario } from './check-scenario-text.ts';
import { listScenarios } from './list-scenarios.ts';
import { BUILTIN_SCENARIO_DIR, DEFAULT_TOPOLOGY_FILE } from './scenario-paths.ts';
import YAML from 'yaml';
import { aimScenario, NotApplicable, type Aim, type TopologyFacts } from './aim-scenario.ts';


export async function loadScenario(
  nameOrFile: string,
  options: { baseTopology?: string; aim?: Aim; containers?: boolean } = {},
): Promise<Scenario & { notes: string[] }> {
  const file = resolveScenarioFile(nameOrFile);
  if (!file) {
    const names = (await listScenarios()).map((s) => s.name);
    throw new MicroDevError('CONFIG_NOT_FOUND', `scenario "${nameOrFile}" not found: neither a file nor a built-in scenario`, {
      hints: [`built-in scenarios: ${names.join(', ')}`, 'micro-dev scenario list shows them'],
    });
  }
  const baseFile = path.resolve(options.baseTopology ?? DEFAULT_TOPOLOGY_FILE);
  const [original, baseText] = await Promise.all([readFile(file, 'utf8'), readBase(baseFile)]);
  const { text, notes } = aimed(original, file, baseFile, baseText, { ...aimOfTopology(baseText), ...definedOnly(options.aim ?? {}) });
  const check = checkScenarioText(text, file, { text: baseText, file: baseFile, ...(options.containers ? { containers: true } : {}) });
  if (check.scenario) return { ...check.scenario, notes };
  throw new MicroDevError('CONFIG_INVALID', check.problems.map((p) => formatProblem(p)).join('\n'), {
    hints: [`${check.problems.length} problem(s) in scenario ${path.relative(process.cwd(), file) || file}`],
  });
}

function resolveScenarioFile(nameOrFile: string): string | undefined {
  const direct = path.resolve(nameOrFile);
  if (/\.ya?ml$/.test(nameOrFile) && existsSync(direct)) return direct;
  const builtin = path.join(BUILTIN_SCENARIO_DIR, `${nameOrFile}.yaml`);
  return existsSync(builtin) ? builtin : undefined;
}

function aimed(original: string, file: string, baseFile: string, baseText: string, aim: Aim): { text: string; notes: string[] } {
  try {
    return aimScenario(original, aim, topologyFacts(baseText));
  } catch (error) {
    if (!(error instanceof NotApplicable)) throw error;
    const name = path.basename(file, path.extname(file));
    throw new MicroDevError('CONFIG_INVALID', `scenario ${name} cannot apply to ${path.relative(process.cwd(), baseFile) || baseFile}: ${error.message}`, {
      cause: error,
    });
  }
}

/** The base topology's own `scenarios:` section (service, path or rpc), as an Aim; {} without one. */
function aimOfTopology(baseText: string): Aim {
  const s = parsedOrNull(baseText)?.scenarios;
  if (!s || typeof s !== 'object') return {};
  const aim: Aim = typeof s.service === 'string' ? { service: s.service } : {};
  if (typeof s.path === 'string') aim.request = { method: 'GET', path: s.path };
  else if (s.rpc !== undefined) aim.request = { method: 'POST', path: '/rpc', body: s.rpc };
  return aim;
}

function parsedOrNull(text: string): { scenarios?: { service?: unknown; path?: unknown; rpc?: unknown } } | null {
  try {
    return YAML.parse(text) as { scenarios?: { service?: unknown; path?: unknown; rpc?: unknown } } | null;
  } catch {
    return null; // the check reports the YAML error with its position
  }
}

function definedOnly(aim: Aim): Aim {
  return Object.fromEntries(Object.entries(aim).filter(([, v]) => v !== undefined)) as Aim;
}

/** Service names and replicas of the base topology (unchecked: checkScenarioText reports its problems). */
function topologyFacts(baseText: string): TopologyFacts {
  let services: Record<string, { replicas?: unknown } | null> = {};
  try {
    const raw = YAML.parse(baseText) as { services?: unknown } | null;
    if (raw && typeof raw.services === 'object' && raw.services !== null) services = raw.services as typeof services;
  } catch {
    // a YAML error is reported by the check, with its position
  }
  const replicas: Record<string, number> = {};
  for (const [name, s] of Object.entries(services)) replicas[name] = typeof s?.replicas === 'number' ? s.replicas : 1;
  return { services: Object.keys(services), replicas };
}

async function readBase(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new MicroDevError('CONFIG_NOT_FOUND', `base topology ${file} cannot be read`, { cause });
  }
}
