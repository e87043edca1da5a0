/**
 * stepToChaos: one scenario step as one Chaos Mesh chaos (the body of a Workflow template), or the reason it
 * has none. The Workflow template's deadline (the step's duration) bounds it; Chaos Mesh recovers at the end.
 *
 *   kill             PodChaos pod-kill (gracePeriod 0) on the targets; the Deployment brings a new pod
 *   stop             PodChaos pod-failure on the targets for the duration (they stop serving, then come back)
 *   partition        NetworkChaos partition, both directions, targets <-> every pod of the project
 *   heartbeat-loss   NetworkChaos partition, both directions, targets <-> the registry pods
 *   latency          NetworkChaos delay (latency, jitter) on everything the targets send
 *   registry-outage  NetworkChaos partition, both directions, the registry pods <-> services and gateway
 *                    (the registry members still see each other, as in ours only clients are cut)
 *   registry-partition    NetworkChaos partition, both directions, one registry pod <-> the other registry pods
 *   registry-member-kill  PodChaos pod-kill on one registry pod
 *   registry-member-slow  NetworkChaos delay on one registry pod
 *   pause, rolling-restart, crash-loop, slow-start, anything else: no equivalent (the reason says why)
 */
import type { Topology } from '../../config/topology.ts';
import type { StepSpec } from '../../scenarios/scenario-schema.ts';
import { chaosSelector, projectPods, registryPods, type ExportPlace, type PodSelection } from './chaos-selector.ts';

export type ChaosBody =
  | { templateType: 'NetworkChaos'; networkChaos: Record<string, unknown> }
  | { templateType: 'PodChaos'; podChaos: Record<string, unknown> };

export type StepChaos = { chaos: ChaosBody; notes: string[] } | { unmapped: string };

/** A step's fault as written in the scenario: a registry fault another engineer may add has fields we read loosely. */
type AnyStep = StepSpec & { latency?: number; jitter?: number; count?: number };

const NO_EQUIVALENT: Record<string, string> = {
  pause: 'Chaos Mesh has no freeze (SIGSTOP) of a pod: PodChaos kills or fails pods, NetworkChaos cuts traffic but the process keeps running',
  'rolling-restart': 'a rolling restart is not a chaos experiment in Chaos Mesh; `kubectl rollout restart deployment/<service>` does it',
  'crash-loop': 'crash-loop kills each target again every time it is ready; Chaos Mesh schedules kills by the clock (Schedule @every), which is a different drill',
  'slow-start': 'slow-start restarts a target with its registry traffic cut; Chaos Mesh selects pods when the chaos starts, so it cannot cut the replacement pod of a kill',
};

export function stepToChaos(step: StepSpec, topology: Topology, place: ExportPlace): StepChaos {
  const s = step as AnyStep;
  const fault: string = s.fault;
  if (NO_EQUIVALENT[fault]) return { unmapped: NO_EQUIVALENT[fault]! };
  if (fault.startsWith('registry-')) return registryStep(s, place);
  const picked = chaosSelector(s, topology, place);
  if ('unmapped' in picked) return picked;
  const notes = picked.note ? [picked.note] : [];
  const { selection } = picked;
  switch (fault) {
    case 'kill':
      return { chaos: pod('pod-kill', selection), notes };
    case 'stop':
      return { chaos: pod('pod-failure', selection), notes };
    case 'partition':
      return { chaos: partition(selection, { mode: 'all', selector: projectPods(place) }), notes };
    case 'heartbeat-loss':
      return { chaos: partition(selection, { mode: 'all', selector: registryPods(place) }), notes };
    case 'latency':
      return { chaos: delay(selection, s.latency ?? 0, s.jitter ?? 0), notes };
    default:
      return { unmapped: `micro-dev knows no Chaos Mesh form of fault ${fault}` };
  }
}

/** Faults on the registry's own members: the registry pods (a StatefulSet in the Kubernetes export). */
function registryStep(s: AnyStep, place: ExportPlace): StepChaos {
  const registry = registryPods(place);
  const one: PodSelection = { mode: 'one', selector: registry };
  switch (s.fault as string) {
    case 'registry-outage':
      return { chaos: partition({ mode: 'all', selector: registry }, { mode: 'all', selector: projectPods(place, ['service', 'gateway']) }), notes: [] };
    case 'registry-partition':
    case 'registry-member-kill':
    case 'registry-member-slow': {
      const named = (s as { isolate?: string | string[]; members?: string | string[] }).isolate ?? (s as { members?: string | string[] }).members ?? ['leader'];
      const members = Array.isArray(named) ? named : [named];
      const picked: PodSelection = members.length === 1 ? one : { mode: 'fixed', value: String(members.length), selector: registry };
      const notes = [`${members.length} registry pod(s) for ${members.join(', ')}: Chaos Mesh picks which (it cannot select a leader or a member by name)`];
      if (s.fault === 'registry-partition') return { chaos: partition(picked, { mode: 'all', selector: registry }), notes };
      if (s.fault === 'registry-member-kill') return { chaos: pod('pod-kill', picked), notes };
      return { chaos: delay(picked, s.latency ?? 0, 0), notes };
    }
    default:
      return { unmapped: `micro-dev knows no Chaos Mesh form of fault ${s.fault as string}` };
  }
}

function pod(action: 'pod-kill' | 'pod-failure', selection: PodSelection): ChaosBody {
  return { templateType: 'PodChaos', podChaos: { action, ...selection, ...(action === 'pod-kill' ? { gracePeriod: 0 } : {}) } };
}

function partition(selection: PodSelection, target: PodSelection): ChaosBody {
  return { templateType: 'NetworkChaos', networkChaos: { action: 'partition', ...selection, direction: 'both', target } };
}

function delay(selection: PodSelection, latencyMs: number, jitterMs: number): ChaosBody {
  return {
    templateType: 'NetworkChaos',
    networkChaos: { action: 'delay', ...selection, direction: 'to', delay: { latency: `${latencyMs}ms`, jitter: `${jitterMs}ms`, correlation: '0' } },
  };
}
