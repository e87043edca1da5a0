/**
 * validateChaosObjects: the Chaos Mesh objects the export writes, checked the way a cluster would take them:
 *
 *   object --ajv--> the kind's openAPIV3Schema (closed objects: an unknown field is an error)
 *          --workflow rules--> what Chaos Mesh's Workflow admission webhook refuses (entry, names, children,
 *                               Suspend deadline, embedded chaos of the template's type, no duration inside)
 *
 * The schemas are the API model (chaos-mesh-api-model.ts) unless `crdDir` names a folder of Chaos Mesh CRD
 * files (chaos-mesh.org_*.yaml of a release): then each kind's own openAPIV3Schema is used. Returns one line
 * per problem, `Workflow NAME: /spec/templates/2/deadline: ...`; [] when every object is valid. Pure apart
 * from reading crdDir.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import YAML from 'yaml';
import { chaosMeshApiModel } from './chaos-mesh-api-model.ts';

export interface ChaosObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

const validators = new Map<string, Map<string, ValidateFunction>>();

export function validateChaosObjects(objects: readonly ChaosObject[], options: { crdDir?: string } = {}): string[] {
  const byKind = validatorsFor(options.crdDir);
  const problems: string[] = [];
  for (const o of objects) {
    const subject = `${o.kind} ${o.metadata?.name ?? '(no name)'}`;
    const validate = byKind.get(o.kind);
    if (!validate) {
      problems.push(`${subject}: no schema for kind ${o.kind} (known: ${[...byKind.keys()].join(', ')})`);
      continue;
    }
    if (!validate(o)) {
      for (const e of validate.errors ?? []) {
        const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : '';
        problems.push(`${subject}: ${e.instancePath || '/'}: ${e.message}${extra}`);
      }
    }
    if (!isDns1123Subdomain(o.metadata?.name ?? '')) problems.push(`${subject}: /metadata/name: must be a DNS-1123 subdomain`);
    if (o.kind === 'Workflow') problems.push(...workflowRules(o).map((p) => `${subject}: ${p}`));
    problems.push(...selectionRules(o.spec, '/spec').map((p) => `${subject}: ${p}`));
  }
  return problems;
}

function validatorsFor(crdDir: string | undefined): Map<string, ValidateFunction> {
  const key = crdDir ?? '(model)';
  let cached = validators.get(key);
  if (!cached) {
    // strict: false: CRD schemas carry x-kubernetes-* keywords and int32/int64 formats that ajv does not know.
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const schemas = crdDir ? schemasFromCrds(crdDir) : chaosMeshApiModel;
    cached = new Map(Object.entries(schemas).map(([kind, schema]) => [kind, ajv.compile(closeObjects(schema) as Record<string, unknown>)]));
    validators.set(key, cached);
  }
  return cached;
}

/** kind -> openAPIV3Schema of its v1alpha1 version, from every chaos-mesh.org_*.yaml in dir. */
function schemasFromCrds(dir: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const file of readdirSync(dir).filter((f) => /^chaos-mesh\.org_.*\.ya?ml$/.test(f))) {
    const crd = YAML.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      spec: { names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Record<string, unknown> } }[] };
    };
    const version = crd.spec.versions.find((v) => v.name === 'v1alpha1');
    if (version) out[crd.spec.names.kind] = version.schema.openAPIV3Schema;
  }
  if (Object.keys(out).length === 0) throw new Error(`no Chaos Mesh CRD (chaos-mesh.org_*.yaml) in ${dir}`);
  return out;
}

/**
 * Every object schema that lists its properties and does not keep unknown fields gets
 * additionalProperties: false (what `kubectl apply --validate=strict` enforces; the API server would prune).
 */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!schema || typeof schema !== 'object') return schema;
  const s = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'enum' || k === 'required' ? v : closeObjects(v)]));
  if (s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) s.additionalProperties = false;
  return s;
}

const CHAOS_FIELDS: Record<string, string> = { NetworkChaos: 'networkChaos', PodChaos: 'podChaos', StressChaos: 'stressChaos' };
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

/** What Chaos Mesh's Workflow webhook refuses (api/v1alpha1/workflow_webhook.go), for the template types we write. */
function workflowRules(o: ChaosObject): string[] {
  const spec = o.spec as { entry?: string; templates?: { name: string; templateType: string; deadline?: string; children?: string[]; [k: string]: unknown }[] };
  const templates = spec.templates ?? [];
  const names = templates.map((t) => t.name);
  const problems: string[] = [];
  if (!spec.entry || !names.includes(spec.entry)) problems.push(`/spec/entry: no template named ${JSON.stringify(spec.entry)}`);
  if (templates.length === 0) problems.push('/spec/templates: a workflow needs at least one template');
  const duplicated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (duplicated.length) problems.push(`/spec/templates: template names must be unique, duplicated: ${duplicated.join(', ')}`);
  templates.forEach((t, i) => {
    const at = `/spec/templates/${i}`;
    const embedded = Object.values(CHAOS_FIELDS).filter((f) => t[f] !== undefined);
    if (!isDns1123Subdomain(t.name)) problems.push(`${at}/name: ${JSON.stringify(t.name)} must be a DNS-1123 subdomain`);
    if (t.deadline !== undefined && !GO_DURATION.test(t.deadline)) problems.push(`${at}/deadline: ${JSON.stringify(t.deadline)} is not a Go duration`);
    const type = t.templateType;
    if (type === 'Suspend') {
      if (!t.deadline) problems.push(`${at}/deadline: a Suspend template needs a deadline`);
      if (t.children?.length || embedded.length) problems.push(`${at}: a Suspend template has no children and no chaos`);
    } else if (type === 'Serial' || type === 'Parallel') {
      for (const [j, child] of (t.children ?? []).entries()) {
        if (!names.includes(child)) problems.push(`${at}/children/${j}: no template named ${JSON.stringify(child)}`);
      }
      if (embedded.length) problems.push(`${at}: a ${type} template has no chaos of its own`);
    } else if (CHAOS_FIELDS[type]) {
      const field = CHAOS_FIELDS[type];
      const chaos = t[field] as Record<string, unknown> | undefined;
      if (!chaos) problems.push(`${at}/${field}: a ${type} template needs its ${field} spec`);
      else if (chaos.duration !== undefined) problems.push(`${at}/${field}/duration: in a workflow the template's deadline sets the duration`);
      if (embedded.some((f) => f !== field)) problems.push(`${at}: a ${type} template carries another kind of chaos (${embedded.join(', ')})`);
      if (t.children?.length) problems.push(`${at}/children: a ${type} template has no children`);
    } else {
      problems.push(`${at}/templateType: ${JSON.stringify(type)} is not a template type the export writes`);
    }
  });
  return problems;
}

/** The webhook's check of `mode` + `value` (common_webhook.go), wherever a pod selection appears. */
function selectionRules(node: unknown, at: string): string[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => selectionRules(v, `${at}/${i}`));
  if (!node || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  const problems = Object.entries(o).flatMap(([k, v]) => selectionRules(v, `${at}/${k}`));
  if (typeof o.mode !== 'string' || !('selector' in o)) return problems;
  const n = typeof o.value === 'string' && /^-?\d+$/.test(o.value) ? Number(o.value) : NaN;
  if (o.mode === 'fixed' && !(n > 0)) problems.push(`${at}/value: mode fixed needs a whole number > 0, got ${JSON.stringify(o.value)}`);
  if ((o.mode === 'fixed-percent' || o.mode === 'random-max-percent') && !(n > 0 && n <= 100)) {
    problems.push(`${at}/value: mode ${o.mode} needs a whole percentage in (0, 100], got ${JSON.stringify(o.value)}`);
  }
  return problems;
}

/** Kubernetes' DNS-1123 subdomain: lower-case alphanumerics, '-' and '.', at most 253, alphanumeric at both ends. */
export function isDns1123Subdomain(name: string): boolean {
  return name.length > 0 && name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}
