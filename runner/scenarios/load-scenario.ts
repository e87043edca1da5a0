/**
 * loadScenario: a scenario by built-in name (`crash-restart` -> scenarios/crash-restart.yaml) or by file
 * path, checked against the default topology (the repository's micro.dev.yaml, or `baseTopology`).
 * Throws MicroDevError CONFIG_NOT_FOUND (names the built-ins) or CONFIG_INVALID (one FILE:LINE:COL line per
 * problem). Reads files only; starts nothing.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatProblem } from '../config/config-problem.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { checkScenarioText, type Scenario } from './check-scenario-text.ts';
import { listScenarios } from './list-scenarios.ts';
import { BUILTIN_SCENARIO_DIR, DEFAULT_TOPOLOGY_FILE } from './scenario-paths.ts';


export async function loadScenario(nameOrFile: string, options: { baseTopology?: string } = {}): Promise<Scenario> {
  const file = resolveScenarioFile(nameOrFile);
  if (!file) {
    const names = (await listScenarios()).map((s) => s.name);
    throw new MicroDevError('CONFIG_NOT_FOUND', `scenario "${nameOrFile}" not found: neither a file nor a built-in scenario`, {
      hints: [`built-in scenarios: ${names.join(', ')}`, 'micro-dev scenario list shows them'],
    });
  }
  const baseFile = path.resolve(options.baseTopology ?? DEFAULT_TOPOLOGY_FILE);
  const [text, baseText] = await Promise.all([readFile(file, 'utf8'), readBase(baseFile)]);
  const check = checkScenarioText(text, file, { text: baseText, file: baseFile });
  if (check.scenario) return check.scenario;
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

async function readBase(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new MicroDevError('CONFIG_NOT_FOUND', `base topology ${file} cannot be read`, { cause });
  }
}
