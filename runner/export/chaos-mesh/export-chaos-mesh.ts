/**
 * exportChaosMesh: scenarios (built-in names or files) as Chaos Mesh Workflows, one YAML file each in outDir,
 * each checked (validateChaosObjects) before it is written. The project name in the selectors is the base
 * topology's name, as `micro-dev export kubernetes` labels the pods.
 *
 * Resolves with what was written and, apart, every scenario that has a fault with no Chaos Mesh form (not
 * written; the caller decides the exit code). Throws MicroDevError for a scenario that does not load
 * (CONFIG_*), and INTERNAL when an object it built fails the check (a bug here, never written).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { loadTopology } from '../../config/load-topology.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { loadScenario } from '../../scenarios/load-scenario.ts';
import { DEFAULT_TOPOLOGY_FILE } from '../../scenarios/scenario-paths.ts';
import { CHAOS_MESH_API_VERSION, CHAOS_MESH_VERSION } from './chaos-mesh-api-model.ts';
import { scenarioToWorkflow } from './scenario-to-workflow.ts';
import { validateChaosObjects } from './validate-chaos-objects.ts';

export interface ChaosMeshExportOptions {
  outDir: string;
  namespace: string;
  /** The topology the scenarios run on and the Kubernetes export came from (default: the built-in greeter). */
  baseTopology?: string;
  /** A folder of Chaos Mesh CRD files to check against instead of the API model. */
  crdDir?: string;
}

export interface ChaosMeshExport {
  written: { scenario: string; file: string; notes: string[] }[];
  unmapped: { scenario: string; reasons: string[] }[];
}

export async function exportChaosMesh(names: readonly string[], options: ChaosMeshExportOptions): Promise<ChaosMeshExport> {
  const base = options.baseTopology ?? DEFAULT_TOPOLOGY_FILE;
  const project = (await loadTopology(base)).name;
  const scenarios = await Promise.all(names.map((n) => loadScenario(n, options.baseTopology ? { baseTopology: options.baseTopology } : {})));
  const result: ChaosMeshExport = { written: [], unmapped: [] };
  const ready: { scenario: string; text: string; notes: string[] }[] = [];
  for (const scenario of scenarios) {
    const out = scenarioToWorkflow(scenario, { project, namespace: options.namespace });
    if ('unmapped' in out) {
      result.unmapped.push({ scenario: scenario.name, reasons: out.unmapped });
      continue;
    }
    const problems = validateChaosObjects([out.workflow], options.crdDir ? { crdDir: options.crdDir } : {});
    if (problems.length) {
      throw new MicroDevError('INTERNAL', `the Chaos Mesh Workflow made from scenario ${scenario.name} does not validate:\n${problems.join('\n')}`);
    }
    const header = [
      `# micro-dev scenario ${scenario.name} as a Chaos Mesh Workflow (${CHAOS_MESH_API_VERSION}, checked against Chaos Mesh ${CHAOS_MESH_VERSION}'s API).`,
      `# Selects the pods of \`micro-dev export kubernetes\` (project ${project}, namespace ${options.namespace}). Apply: kubectl apply -f <this file>`,
      ...out.notes.map((n) => `# note: ${n}`),
    ];
    ready.push({ scenario: scenario.name, text: `${header.join('\n')}\n${YAML.stringify(out.workflow, { lineWidth: 0 })}`, notes: out.notes });
  }
  if (ready.length) await mkdir(options.outDir, { recursive: true });
  for (const r of ready) {
    const file = path.join(options.outDir, `${r.scenario}.yaml`);
    await writeFile(file, r.text);
    result.written.push({ scenario: r.scenario, file, notes: r.notes });
  }
  return result;
}
