/**
 * scenarioToWorkflow: a scenario's timeline as one Chaos Mesh Workflow. Each step runs on its own branch of
 * a Parallel entry, so steps keep their `at` and may overlap as they do in micro-dev:
 *
 *   <scenario> (Parallel) ─┬─ <step> (Serial) ── <step>-wait (Suspend, deadline = at) ── <step>-fault (chaos, deadline = duration)
 *                          └─ ...  (a step at 0 has no wait)
 *
 * The load, the steady state and the expectations stay with micro-dev (`scenario run --against` judges them);
 * the Workflow's annotations name the scenario. Steps with no Chaos Mesh form make the whole scenario
 * `unmapped` (one line per step, naming the fault and why): a scenario is never exported without one of its
 * faults. Pure.
 */
import type { Scenario } from '../../scenarios/check-scenario-text.ts';
import { LabelKeys, labelValue, PART_OF } from '../kubernetes-labels.ts';
import { CHAOS_MESH_API_VERSION } from './chaos-mesh-api-model.ts';
import type { ExportPlace } from './chaos-selector.ts';
import { stepToChaos } from './step-to-chaos.ts';
import type { ChaosObject } from './validate-chaos-objects.ts';

export type WorkflowExport = { workflow: ChaosObject; notes: string[] } | { unmapped: string[] };

/** How long a step without a duration lasts (as in runScenario). */
const DEFAULT_STEP_MS = 1000;

export function scenarioToWorkflow(scenario: Scenario, place: ExportPlace): WorkflowExport {
  const entry = dnsLabel(scenario.name);
  const templates: Record<string, unknown>[] = [];
  const branches: string[] = [];
  const notes: string[] = [];
  const unmapped: string[] = [];
  const used = new Set([entry]);
  for (const step of scenario.steps) {
    const mapped = stepToChaos(step, scenario.topology, place);
    if ('unmapped' in mapped) {
      unmapped.push(`step ${step.id} (${step.fault}): ${mapped.unmapped}`);
      continue;
    }
    notes.push(...mapped.notes.map((n) => `step ${step.id}: ${n}`));
    const name = unique(dnsLabel(step.id), used);
    const fault = { name: unique(`${name}-fault`, used), ...mapped.chaos, deadline: `${step.duration ?? DEFAULT_STEP_MS}ms` };
    if (step.at > 0) {
      const wait = { name: unique(`${name}-wait`, used), templateType: 'Suspend', deadline: `${step.at}ms` };
      templates.push({ name, templateType: 'Serial', children: [wait.name, fault.name] }, wait, fault);
      branches.push(name);
    } else {
      templates.push(fault);
      branches.push(fault.name);
    }
  }
  if (unmapped.length) return { unmapped };
  if (branches.length === 0) return { unmapped: ['it has no steps: there is no fault to export'] };
  const workflow: ChaosObject = {
    apiVersion: CHAOS_MESH_API_VERSION,
    kind: 'Workflow',
    metadata: {
      name: dnsLabel(`micro-dev-${scenario.name}`),
      namespace: place.namespace,
      labels: { [LabelKeys.partOf]: PART_OF, [LabelKeys.instance]: labelValue(place.project), 'micro-dev/scenario': dnsLabel(scenario.name) },
      annotations: {
        'micro-dev/scenario': scenario.name,
        ...(scenario.description ? { 'micro-dev/description': scenario.description.trim() } : {}),
      },
    },
    spec: { entry, templates: [{ name: entry, templateType: 'Parallel', children: branches }, ...templates] },
  };
  return { workflow, notes };
}

/** Lower-case letters, digits and '-', alphanumeric at both ends, at most 63 (a label value and a name). */
function dnsLabel(text: string): string {
  const s = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return s || 'step';
}

function unique(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n++) candidate = `${name.slice(0, 60)}-${n}`;
  used.add(candidate);
  return candidate;
}
