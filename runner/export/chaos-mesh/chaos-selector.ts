/**
 * chaosSelector: a scenario step's target (service / tier / instance, count / percent) as a Chaos Mesh pod
 * selection (`mode`, `value`, `selector`) over the exported labels (../kubernetes-labels.ts). What has no selector
 * (the static proxy, a lock holder) comes back as `unmapped` with the reason; an approximation (one named
 * instance -> one pod of its service) comes back with a `note`.
 */
import type { Topology } from '../../config/topology.ts';
import type { StepSpec } from '../../scenarios/scenario-schema.ts';
import { STATIC_PROXY } from '../../scenarios/plan-targets.ts';
import { LabelKeys, labelValue, PART_OF, registrySelector, serviceSelector, type ExportComponent } from '../kubernetes-labels.ts';

export interface ExportPlace {
  /** The project name the Kubernetes export labels pods with (micro.dev.yaml's name). */
  project: string;
  namespace: string;
}

export interface PodSelector {
  namespaces: string[];
  labelSelectors: Record<string, string>;
  expressionSelectors?: { key: string; operator: 'In'; values: string[] }[];
}

export interface PodSelection {
  mode: 'one' | 'all' | 'fixed' | 'fixed-percent';
  value?: string;
  selector: PodSelector;
}

export type Selected = { selection: PodSelection; note?: string } | { unmapped: string };

/** Every pod of the project, or those of some components. */
export function projectPods(place: ExportPlace, components?: ExportComponent[]): PodSelector {
  const selector: PodSelector = { namespaces: [place.namespace], labelSelectors: { [LabelKeys.instance]: labelValue(place.project), [LabelKeys.partOf]: PART_OF } };
  if (components?.length === 1) selector.labelSelectors[LabelKeys.component] = components[0]!;
  else if (components) selector.expressionSelectors = [{ key: LabelKeys.component, operator: 'In', values: components }];
  return selector;
}

/** The registry's pods (its members). */
export function registryPods(place: ExportPlace): PodSelector {
  return { namespaces: [place.namespace], labelSelectors: registrySelector(place.project) };
}

/** The pods a step's target names, with the count or share it asks for. */
export function chaosSelector(step: StepSpec, topology: Topology, place: ExportPlace): Selected {
  if (step.leader !== undefined) {
    return { unmapped: `its target is the instance holding lock ${step.leader}; Chaos Mesh selects pods by labels, not by who holds a Consul lock` };
  }
  const t = step.target;
  if (t.instance === STATIC_PROXY) return { unmapped: 'its target is the static proxy (nginx in front of fixed upstreams), which the Kubernetes export does not run' };
  const selector = projectPods(place, ['service']);
  let note: string | undefined;
  let services = topology.services.map((s) => s.name);
  if (t.instance !== undefined) {
    const owner = topology.services.find((s) => t.instance === s.name || t.instance!.startsWith(`${s.name}-`));
    if (!owner) return { unmapped: `its target instance ${t.instance} belongs to no service of the topology` };
    services = [owner.name];
    note = `instance ${t.instance} -> one pod of ${owner.name} (pod names of a Deployment are not stable)`;
  }
  if (t.service !== undefined) services = services.filter((s) => s === t.service);
  if (t.tier !== undefined) services = services.filter((s) => topology.services.find((x) => x.name === s)!.tier === t.tier);
  if (services.length === 0) return { unmapped: `its target ${JSON.stringify(t)} matches no service of the topology` };
  if (services.length === 1) selector.labelSelectors = serviceSelector(place.project, services[0]!);
  else if (services.length < topology.services.length) selector.expressionSelectors = [{ key: LabelKeys.name, operator: 'In', values: services.map(labelValue) }];
  if (t.instance !== undefined) return { selection: { mode: 'one', selector }, note: note! };
  if (t.count !== undefined) return { selection: { mode: 'fixed', value: String(t.count), selector } };
  if (t.percent !== undefined) {
    // Chaos Mesh takes a whole percentage and rounds the pod count up, as we do.
    const whole = Math.ceil(t.percent);
    return {
      selection: { mode: 'fixed-percent', value: String(whole), selector },
      ...(whole !== t.percent ? { note: `percent ${t.percent} -> ${whole} (Chaos Mesh takes a whole percentage)` } : {}),
    };
  }
  return { selection: { mode: 'all', selector } };
}
