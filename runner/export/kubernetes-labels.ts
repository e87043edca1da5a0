/**
 * The labels contract of the exported objects: `export kubernetes` puts these on every Deployment,
 * StatefulSet, Service, ConfigMap and pod template, `export compose` on every container; `scenario export
 * chaos-mesh` and `scenario run --against` find pods (containers) by them. Changing a key or a value here
 * changes what those commands target: keep them in step.
 *
 *   app.kubernetes.io/name       <service name> | micro-dev-gateway | micro-dev-registry
 *   app.kubernetes.io/instance   <project name> (the topology's `name`)
 *   app.kubernetes.io/component  service | gateway | registry
 *   app.kubernetes.io/part-of    micro-dev
 *   micro-dev/service            <service name>            (services only)
 *
 * Selectors use name + instance + component: stable for the life of a Deployment (selectors are
 * immutable) and distinct even if a user's service were called like an infrastructure part.
 */
export type ExportComponent = 'service' | 'gateway' | 'registry';

/** Object and label names of the two infrastructure parts (a user's service may not take them). */
export const GATEWAY_NAME = 'micro-dev-gateway';
export const REGISTRY_NAME = 'micro-dev-registry';

export const LabelKeys = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  service: 'micro-dev/service',
} as const;

export const PART_OF = 'micro-dev';

/** What an exported object belongs to: a service of the topology, the gateway or the registry. */
export type LabelTarget = { component: 'service'; service: string } | { component: 'gateway' } | { component: 'registry' };

/** The `app.kubernetes.io/name` of a target. */
export function targetName(target: LabelTarget): string {
  if (target.component === 'service') return target.service;
  return target.component === 'gateway' ? GATEWAY_NAME : REGISTRY_NAME;
}

/** Labels a selector matches (Deployment/StatefulSet/Service selectors, Chaos Mesh `labelSelectors`). */
export function selectorLabels(project: string, target: LabelTarget): Record<string, string> {
  return {
    [LabelKeys.name]: labelValue(targetName(target)),
    [LabelKeys.instance]: labelValue(project),
    [LabelKeys.component]: target.component,
  };
}

/** Every label an exported object of a target carries (the selector's plus part-of and micro-dev/service). */
export function objectLabels(project: string, target: LabelTarget): Record<string, string> {
  const labels: Record<string, string> = { ...selectorLabels(project, target), [LabelKeys.partOf]: PART_OF };
  if (target.component === 'service') labels[LabelKeys.service] = labelValue(target.service);
  return labels;
}

/** Shorthands for the three kinds of target. */
export const serviceSelector = (project: string, service: string) => selectorLabels(project, { component: 'service', service });
export const gatewaySelector = (project: string) => selectorLabels(project, { component: 'gateway' });
export const registrySelector = (project: string) => selectorLabels(project, { component: 'registry' });

/**
 * A Kubernetes label value: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric.
 * Other characters become `-`; a name that is already valid passes unchanged.
 */
export function labelValue(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 63);
  return cleaned.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}
