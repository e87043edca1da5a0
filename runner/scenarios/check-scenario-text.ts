/**
 * checkScenarioText: a scenario file's whole check, pure on text already read (the default topology's text
 * is passed in too):
 *
 *   text -> parseYamlWithSchema(ScenarioSchema) -> topology override merged over micro.dev.yaml (free ports)
 *        -> checkTopologyText on the merge -> cross-references (step ids, loads, services) -> Scenario
 *
 * Every problem is `FILE:LINE:COL: message` in the scenario file (a topology problem points at `topology:`).
 */
import path from 'node:path';
import YAML from 'yaml';
import { checkTopologyText } from '../config/check-topology-text.ts';
import { sortProblems, type ConfigProblem } from '../config/config-problem.ts';
import { parseYamlWithSchema } from '../config/parse-yaml-with-schema.ts';
import { didYouMean } from '../config/did-you-mean.ts';
import type { Topology } from '../config/topology.ts';
import { ownPath } from '../package/own-path.ts';
import { BUILTIN_SCENARIO_DIR } from './scenario-paths.ts';
import { RegistryMemberFaults, ScenarioSchema, type Expectation, type LoadSpec, type RawScenario, type StaticProxySpec, type SteadyState, type StepSpec } from './scenario-schema.ts';

/** A checked scenario: a full Topology to run it on, every duration in ms, every step with an id. */
export interface Scenario {
  name: string;
  description: string;
  file: string;
  seed: number;
  topology: Topology;
  staticProxy?: StaticProxySpec;
  loads: LoadSpec[];
  steadyState?: SteadyState;
  steps: StepSpec[];
  settleMs: number;
  expect: Expectation[];
  rollbacks: RawScenario['rollbacks'];
}

export interface ScenarioCheck {
  scenario?: Scenario;
  problems: ConfigProblem[];
}

export interface DefaultTopology {
  text: string;
  /** Absolute; relative module paths of the default topology resolve against its folder. */
  file: string;
  /** Every service runs in a container (`--against --compose`: the Compose export), so any can be paused. */
  containers?: boolean;
}

export function checkScenarioText(text: string, file: string, base: DefaultTopology): ScenarioCheck {
  const shaped = parseYamlWithSchema(text, file, ScenarioSchema, { emptyMessage: 'the scenario file is empty' });
  if (!shaped.data) return { problems: shaped.problems };
  const raw = shaped.data;
  const at = shaped.parsed.problemAt;

  const merged = mergeOverride(YAML.parse(base.text) ?? {}, ownModules(raw.topology ?? {}, file));
  const topoCheck = checkTopologyText(YAML.stringify(merged), base.file);
  if (!topoCheck.topology) {
    return {
      problems: topoCheck.problems.map((p) => at(['topology'], `topology (merged over ${path.basename(base.file)}): ${p.message}`)),
    };
  }
  const topology = { ...topoCheck.topology, name: `scenario-${raw.name ?? path.basename(file, path.extname(file))}` };

  const problems: ConfigProblem[] = [];
  const services = topology.services.map((s) => s.name);
  const loads = raw.load === undefined ? [] : Array.isArray(raw.load) ? raw.load : [raw.load];
  const loadPath = (i: number) => (Array.isArray(raw.load) ? ['load', i] : ['load']);
  const loadNames = loads.map((l) => l.name);
  loads.forEach((l, i) => {
    if (loadNames.indexOf(l.name) !== i) problems.push(at([...loadPath(i), 'name'], `load name "${l.name}" is used twice`));
    if (l.through === 'static-proxy' && !raw.static_proxy) {
      problems.push(at([...loadPath(i), 'through'], 'through: static-proxy needs a static_proxy: {upstream: SERVICE} section'));
    }
  });

  const steps: StepSpec[] = raw.steps.map((s, i) => ({ ...s, id: s.id ?? `step-${i + 1}` }));
  const stepIds = steps.map((s) => s.id);
  steps.forEach((s, i) => {
    if (stepIds.indexOf(s.id) !== i) problems.push(at(['steps', i, 'id'], `step id "${s.id}" is used twice`));
    const t = s.target;
    if (t.service !== undefined && !services.includes(t.service)) {
      problems.push(at(['steps', i, 'target', 'service'], unknown('service', t.service, services), 'value'));
    }
    if (t.instance !== undefined && t.instance !== 'static-proxy' && !instanceNames(topology).includes(t.instance)) {
      problems.push(at(['steps', i, 'target', 'instance'], unknown('instance', t.instance, instanceNames(topology)), 'value'));
    }
    if (t.instance === 'static-proxy' && !raw.static_proxy) {
      problems.push(at(['steps', i, 'target', 'instance'], 'target static-proxy needs a static_proxy section', 'value'));
    }
    if (s.fault in RegistryMemberFaults) {
      const etcd = topology.registry.kind === 'etcd';
      const members = etcd
        ? Array.from({ length: topology.registry.nodes }, (_, m) => `etcd-${m + 1}`)
        : Array.from({ length: topology.registry.peers ?? 1 }, (_, m) => `eureka-${m + 1}`);
      const key = s.fault === 'registry-partition' ? 'isolate' : 'members';
      const named = s.fault === 'registry-partition' ? s.isolate : 'members' in s ? s.members : [];
      if (etcd && topology.registry.address) {
        problems.push(at(['steps', i, 'fault'], `${s.fault} acts on the etcd members micro-dev starts; topology.registry.address points at an etcd cluster it does not run (use registry-outage or heartbeat-loss there)`, 'value'));
      } else if (s.fault !== 'registry-partition' && !etcd) {
        problems.push(at(['steps', i, 'fault'], `${s.fault} needs registry kind etcd (Eureka peers run inside micro-dev): topology.registry: {kind: etcd, nodes: 3}`, 'value'));
      } else if (members.length < 2) {
        problems.push(at(['steps', i, 'fault'], `${s.fault} needs a registry of several members: topology.registry.peers: 3 (Eureka peers) or {kind: etcd, nodes: 3}`, 'value'));
      } else {
        const words = etcd ? ['leader', 'follower'] : [];
        for (const name of named) {
          if (!members.includes(name) && !words.includes(name)) problems.push(at(['steps', i, key], unknown('registry member', name, [...members, ...words]), 'value'));
        }
      }
    }
    if (s.fault === 'canary') problems.push(...checkCanary(s, i, topology, at));
    if (s.fault === 'pause' && !base.containers && targetRuntimes(topology, s).includes('worker')) {
      problems.push(at(['steps', i, 'fault'], 'pause needs runtime process or container (a worker thread cannot be frozen); set topology.services.<name>.runtime', 'value'));
    }
  });

  if (raw.static_proxy && !services.includes(raw.static_proxy.upstream)) {
    problems.push(at(['static_proxy', 'upstream'], unknown('service', raw.static_proxy.upstream, services), 'value'));
  }
  const passing = raw.steady_state?.passing;
  if (passing && !services.includes(passing.service)) {
    problems.push(at(['steady_state', 'passing', 'service'], unknown('service', passing.service, services), 'value'));
  }

  raw.expect.forEach((e, i) => problems.push(...checkExpectation(e, i, { stepIds, loadNames, services, at })));

  if (problems.length > 0) return { problems: sortProblems(problems) };
  return {
    problems: [],
    scenario: {
      name: raw.name ?? path.basename(file, path.extname(file)),
      description: raw.description ?? '',
      file,
      seed: raw.seed,
      topology,
      ...(raw.static_proxy ? { staticProxy: raw.static_proxy } : {}),
      loads,
      ...(raw.steady_state ? { steadyState: raw.steady_state } : {}),
      steps,
      settleMs: raw.settle,
      expect: raw.expect,
      rollbacks: raw.rollbacks,
    },
  };
}

/** A canary step: target.service (the new version) and baseline both run, each with its own version. */
function checkCanary(s: Extract<StepSpec, { fault: 'canary' }>, i: number, topology: Topology, at: (p: (string | number)[], m: string, w?: 'key' | 'value') => ConfigProblem): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const services = topology.services.map((c) => c.name);
  const fresh = topology.services.find((c) => c.name === s.target.service);
  const old = topology.services.find((c) => c.name === s.baseline);
  if (s.target.service === undefined) out.push(at(['steps', i, 'target'], 'a canary step needs target: {service: NEW} (the new version\'s service)'));
  if (!old) out.push(at(['steps', i, 'baseline'], unknown('service', s.baseline, services), 'value'));
  if (fresh && !fresh.version) out.push(at(['steps', i, 'target', 'service'], `${fresh.name} needs a version (topology.services.${fresh.name}.version)`, 'value'));
  if (old && !old.version) out.push(at(['steps', i, 'baseline'], `${old.name} needs a version (topology.services.${old.name}.version)`, 'value'));
  if (fresh?.version && old?.version && fresh.version === old.version) {
    out.push(at(['steps', i, 'baseline'], `${old.name} and ${fresh.name} both register version ${old.version}: a canary needs two versions`, 'value'));
  }
  if (s.stages.some((share, k) => k > 0 && share <= s.stages[k - 1]!)) out.push(at(['steps', i, 'stages'], 'stages must rise (each share above the one before)', 'value'));
  return out;
}

function checkExpectation(
  e: Expectation,
  i: number,
  ctx: { stepIds: string[]; loadNames: string[]; services: string[]; at: (p: (string | number)[], m: string, w?: 'key' | 'value') => ConfigProblem },
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const p = (key: string, message: string) => out.push(ctx.at(['expect', i, key], message, 'value'));
  if ('during' in e && !['run', 'before', 'after'].includes(e.during) && !ctx.stepIds.includes(e.during)) {
    p('during', unknown('step', e.during, ['run', 'before', 'after', ...ctx.stepIds]));
  }
  if ('step' in e && !ctx.stepIds.includes(e.step)) p('step', unknown('step', e.step, ctx.stepIds));
  if ('load' in e && e.load !== undefined && !ctx.loadNames.includes(e.load)) p('load', unknown('load', e.load, ctx.loadNames));
  if (['availability', 'failed_requests', 'p99'].includes(e.metric) && ctx.loadNames.length === 0) {
    out.push(ctx.at(['expect', i, 'metric'], `${e.metric} needs a load: section`, 'value'));
  }
  if ('service' in e && !ctx.services.includes(e.service)) p('service', unknown('service', e.service, ctx.services));
  if ((e.metric === 'availability' || e.metric === 'passing' || e.metric === 'p99') && e.min === undefined && e.max === undefined) {
    out.push(ctx.at(['expect', i], `${e.metric} needs min or max`));
  }
  return out;
}

/**
 * A `module` the scenario gives (a service it brings, like leader-partition's leader-srv) is the
 * scenario's own file: a built-in scenario's is a path from the package root (ownPath), a user's is
 * relative to the scenario file, whatever topology it is merged over.
 */
function ownModules(topology: NonNullable<RawScenario['topology']>, file: string): Record<string, unknown> {
  if (!topology.services) return topology;
  const builtin = path.dirname(path.resolve(file)) === path.resolve(BUILTIN_SCENARIO_DIR);
  const services = Object.fromEntries(
    Object.entries(topology.services).map(([name, s]) => {
      const m = s.module;
      if (m === undefined || path.isAbsolute(m)) return [name, s];
      return [name, { ...s, module: builtin ? ownPath(m) : path.resolve(path.dirname(file), m) }];
    }),
  );
  return { ...topology, services };
}

/**
 * Deep merge of plain objects; arrays and scalars in `over` replace. Ports are forced to 0 (free ones). A
 * registry of another kind (etcd over the embedded one) replaces the base's registry section: the embedded
 * registry's settings do not apply to it.
 */
export function mergeOverride(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const kindOf = (r: unknown) => (isObject(r) && typeof r.kind === 'string' ? r.kind : 'embedded');
  const otherKind = isObject(over.registry) && over.registry.kind !== undefined && kindOf(over.registry) !== kindOf(base.registry);
  const merged = deepMerge(otherKind ? { ...base, registry: {} } : base, over) as Record<string, unknown>;
  for (const key of ['registry', 'gateway', 'proxy', 'web', 'broker', 'faults', 'control']) {
    const section = merged[key];
    merged[key] = { ...(isObject(section) ? section : {}), port: 0 };
  }
  const registry = merged.registry as Record<string, unknown>;
  for (const face of ['eureka', 'nacos']) if (isObject(registry[face])) registry[face] = { ...registry[face], port: 0 };
  const services = merged.services;
  if (isObject(services)) {
    for (const [name, s] of Object.entries(services)) if (isObject(s)) services[name] = { ...s, port: 0 };
  }
  return merged;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = v === undefined ? base[k] : deepMerge(base[k], v);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknown(what: string, name: string, known: string[]): string {
  const near = didYouMean(name, known);
  return `unknown ${what} "${name}"${near ? ` (did you mean "${near}"?)` : ''}; known: ${known.join(', ') || 'none'}`;
}

function instanceNames(topology: Topology): string[] {
  return topology.services.flatMap((s) => Array.from({ length: s.replicas }, (_, i) => `${s.name}-${i + 1}`));
}

function targetRuntimes(topology: Topology, step: StepSpec): string[] {
  const t = step.target;
  return topology.services
    .filter((s) => (t.service === undefined || s.name === t.service) && (t.tier === undefined || s.tier === t.tier))
    .filter((s) => t.instance === undefined || t.instance.startsWith(`${s.name}-`))
    .map((s) => s.runtime);
}
