/**
 * Stages for a gateway micro-dev does not run (staging), seen only through micro-dev's own load:
 *
 *   watchStage       no fault driver: the load and the load-based expectations only; every step is "not
 *                    applied" and what hangs on it is unjudged (never passed)
 *   chaosMeshStage   each step as a standalone Chaos Mesh object (step-to-chaos.ts, the same mapping as
 *                    `scenario export chaos-mesh`), `kubectl apply`ed at its time and deleted at its heal;
 *                    needs kubectl on PATH with a current context (checkKubectl says what is missing)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { CHAOS_MESH_API_VERSION } from '../export/chaos-mesh/chaos-mesh-api-model.ts';
import type { ExportPlace } from '../export/chaos-mesh/chaos-selector.ts';
import { stepToChaos } from '../export/chaos-mesh/step-to-chaos.ts';
import { validateChaosObjects, type ChaosObject } from '../export/chaos-mesh/validate-chaos-objects.ts';
import type { Scenario } from './check-scenario-text.ts';
import type { ScenarioStage } from './scenario-stage.ts';
import type { StepSpec } from './scenario-schema.ts';

const run = promisify(execFile);

export const NO_FAULT_DRIVER = 'no fault driver: observing only';
const HOW_TO_FAULT = 'faults need --compose FILE (the Compose export), --chaos-mesh (a cluster with Chaos Mesh) or -c FILE of the micro-dev up serving it';

/** Load only, no faults. */
export function watchStage(scenario: Scenario, gatewayUrl: string): ScenarioStage {
  return loadOnlyStage(scenario, gatewayUrl, `${gatewayUrl}, observing only (${HOW_TO_FAULT})`, {
    cannotApply: () => NO_FAULT_DRIVER,
    applyFault: () => Promise.reject(new Error(NO_FAULT_DRIVER)),
  });
}

/** Faults as Chaos Mesh objects in the cluster of kubectl's current context. */
export async function chaosMeshStage(scenario: Scenario, gatewayUrl: string, place: ExportPlace): Promise<ScenarioStage> {
  const context = await checkKubectl();
  return loadOnlyStage(scenario, gatewayUrl, `${gatewayUrl} (faults: Chaos Mesh in kubectl context ${context}, namespace ${place.namespace})`, {
    cannotApply: (step) => {
      const mapped = stepToChaos(step, scenario.topology, place);
      return 'unmapped' in mapped ? `no Chaos Mesh equivalent: ${mapped.unmapped}` : undefined;
    },
    applyFault: async (step) => {
      const object = chaosObject(scenario, step, place);
      await kubectl(['apply', '-f', '-'], YAML.stringify(object));
      return async () => {
        await kubectl(['delete', '--ignore-not-found', '-n', place.namespace, object.kind.toLowerCase(), object.metadata.name]);
      };
    },
  });
}

/** One step as a standalone NetworkChaos / PodChaos (validated), lasting the step's duration. */
export function chaosObject(scenario: Scenario, step: StepSpec, place: ExportPlace): ChaosObject {
  const mapped = stepToChaos(step, scenario.topology, place);
  if ('unmapped' in mapped) throw new Error(`step ${step.id} (${step.fault}): ${mapped.unmapped}`);
  const { templateType, ...body } = mapped.chaos;
  const spec = Object.values(body)[0] as Record<string, unknown>;
  const object: ChaosObject = {
    apiVersion: CHAOS_MESH_API_VERSION,
    kind: templateType,
    metadata: { name: `micro-dev-${scenario.name}-${step.id}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 63).replace(/-+$/, ''), namespace: place.namespace, labels: { 'micro-dev/scenario': scenario.name } },
    spec: { ...spec, duration: `${step.duration ?? 1000}ms` },
  };
  const problems = validateChaosObjects([object]);
  if (problems.length) throw new Error(`the Chaos Mesh object of step ${step.id} does not validate:\n${problems.join('\n')}`);
  return object;
}

/** The current kubectl context, or a clear error saying what is missing. */
export async function checkKubectl(): Promise<string> {
  try {
    return (await run('kubectl', ['config', 'current-context'], { timeout: 10_000 })).stdout.trim();
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    const why = e.code === 'ENOENT' ? 'kubectl is not on PATH' : `kubectl has no current context (${(e.stderr ?? e.message).trim().split('\n')[0]})`;
    throw new MicroDevError('CONFIG_NOT_FOUND', `scenario run --chaos-mesh: ${why}; faults in a cluster are Chaos Mesh objects applied with kubectl`, {
      hints: ['without --chaos-mesh, scenario run --against URL only observes: the load and the expectations it can judge from it'],
    });
  }
}

async function kubectl(args: string[], input?: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile('kubectl', args, { timeout: 30_000 }, (error, _stdout, stderr) => (error ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim() || error.message}`)) : resolve()));
    if (input !== undefined) child.stdin!.end(input);
  });
}

function loadOnlyStage(
  scenario: Scenario,
  gatewayUrl: string,
  description: string,
  faults: Pick<ScenarioStage, 'cannotApply' | 'applyFault'>,
): ScenarioStage {
  const instances = scenario.topology.services.flatMap((s) => Array.from({ length: s.replicas }, (_, i) => ({ instance: `${s.name}-${i + 1}`, service: s.name, tier: s.tier })));
  return {
    description,
    gatewayUrl,
    observes: 'load',
    candidates: () => instances,
    ...faults,
    lockHolder: () => [],
    instanceFacts: () => ({}),
    sample: (at) => ({ at, instances: [], leases: {} }),
    settle: () => Promise.resolve(false),
    rollback: () => Promise.resolve(),
    onLogLine: () => () => undefined,
    close: () => Promise.resolve(),
  };
}
