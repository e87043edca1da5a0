/**
 * aimScenario: points a scenario written for the greeter at the user's own topology, on the scenario's
 * parsed YAML before it is checked (so every later error still has a FILE:LINE:COL):
 *
 *   --service orders   every reference to the one service the scenario aims at (steps' target.service,
 *                      steady_state.passing, expect[].service, static_proxy.upstream, topology.services.<it>)
 *                      becomes orders; orders runs with at least 2 replicas (each drill breaks one and
 *                      measures the other) unless the scenario sets replicas itself
 *   --path P | --rpc J  every load that calls the greeter (no path: the default /greeter/say/hello, a
 *                      /greeter/... path, or /rpc to go.micro.*.greeter) sends this request instead
 *
 * A scenario it cannot point at the topology is a NotApplicable with the reason (the CLI exits 2):
 * it aims at a service the topology lacks and no --service was given, it aims at more than one service,
 * or its load calls the greeter, the topology has none, and no request was given. A canary drill ships
 * its own new version of the greeter, so --service cannot aim it: `greeterOnly`, which `--all` skips.
 */
import YAML, { isMap, isSeq, type Document, type YAMLMap } from 'yaml';

export interface Aim {
  /** The service to aim at (`--service`). */
  service?: string;
  /** The request every greeter load sends instead: GET path, or POST /rpc with a body. */
  request?: { method: 'GET'; path: string } | { method: 'POST'; path: string; body: unknown };
}

export interface TopologyFacts {
  /** Service names of the topology the scenario runs on. */
  services: string[];
  replicas: Record<string, number>;
}

export interface AimResult {
  text: string;
  /** What was changed, one line each (printed before the run). */
  notes: string[];
}

export class NotApplicable extends Error {
  /** True when the drill can never apply to another service (it ships its own code): `--all` skips it. */
  readonly greeterOnly: boolean;
  constructor(message: string, options: { greeterOnly?: boolean } = {}) {
    super(message);
    this.greeterOnly = options.greeterOnly ?? false;
  }
}

const GREETER_LOAD_PATH = '/greeter/say/hello?name=John';

export function aimScenario(text: string, aim: Aim, topology: TopologyFacts): AimResult {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return { text, notes: [] }; // the check reports it with its position
  const notes: string[] = [];
  const refs = serviceRefs(doc);
  const aimedAt = [...new Set(refs.map((r) => r.value))];
  const has = (s: string) => topology.services.includes(s);

  const canary = isSeq(doc.get('steps')) && (doc.get('steps') as YAML.YAMLSeq).items.some((st) => isMap(st) && st.get('fault') === 'canary');
  if (canary && aim.service !== undefined) {
    throw new NotApplicable(
      `it releases its own v2 of the greeter (its code) beside greeter-srv, so --service cannot aim it at yours; copy the file and give your new version's module, version and the baseline`,
      { greeterOnly: true },
    );
  }
  if (aim.service !== undefined) {
    if (!has(aim.service)) throw new NotApplicable(`--service ${aim.service}: no such service in the topology (services: ${topology.services.join(', ') || 'none'})`);
    if (aimedAt.length > 1) throw new NotApplicable(`it aims at ${aimedAt.length} services (${aimedAt.join(', ')}), so --service cannot say which one to replace`);
    const from = aimedAt[0];
    if (from !== undefined && from !== aim.service) {
      for (const r of refs) r.set(aim.service);
      notes.push(`aimed at ${aim.service} (written for ${from})`);
    }
    const overridden = doc.getIn(['topology', 'services', aim.service, 'replicas']);
    const replicas = topology.replicas[aim.service] ?? 1;
    if (overridden === undefined && replicas < 2 && refs.length > 0) {
      doc.setIn(['topology', 'services', aim.service, 'replicas'], 2);
      notes.push(`${aim.service} runs 2 replicas in this drill (the topology has ${replicas}): one is broken, the other answers`);
    }
  } else {
    const missing = aimedAt.filter((s) => !has(s));
    if (missing.length > 0) {
      throw new NotApplicable(
        `it aims at ${missing.join(', ')}, which the topology does not have; aim it at one of yours with --service NAME (services: ${topology.services.join(', ') || 'none'})`,
      );
    }
  }

  const loads = greeterLoads(doc);
  const greeterRuns = has('greeter-srv') && has('greeter-api');
  if (loads.length > 0 && aim.request) {
    for (const load of loads) {
      load.set('method', aim.request.method);
      load.set('path', aim.request.path);
      if (aim.request.method === 'POST') load.set('body', doc.createNode(aim.request.body));
      else load.delete('body');
    }
    notes.push(`load sends ${aim.request.method} ${aim.request.path}${aim.request.method === 'POST' ? ` ${JSON.stringify(aim.request.body)}` : ''}`);
  } else if (loads.length > 0 && !greeterRuns) {
    throw new NotApplicable(
      `its load calls the greeter (GET ${GREETER_LOAD_PATH}), which the topology does not run; give the request with --path /NAME/say/hello?name=John or --rpc '{"service":"...","endpoint":"...","request":{}}'`,
    );
  }
  // Untouched text keeps every FILE:LINE:COL of later problems exact.
  return { text: notes.length > 0 ? doc.toString() : text, notes };
}

interface Ref {
  value: string;
  set(service: string): void;
}

/** Every place a scenario names a service. */
/**
 * References to the service the drill aims at. A service the scenario brings itself (its override gives a
 * module, command or container, e.g. leader-partition's leader-srv) is part of the drill, not the user's
 * topology: it is never re-aimed and never missing.
 */
function serviceRefs(doc: Document): Ref[] {
  const own = new Set<string>();
  const defined = doc.getIn(['topology', 'services']);
  if (isMap(defined)) {
    for (const pair of defined.items) {
      const key = (pair.key as YAML.Scalar).value;
      if (typeof key === 'string' && isMap(pair.value) && ['module', 'command', 'container'].some((k) => (pair.value as YAMLMap).has(k))) own.add(key);
    }
  }
  return allServiceRefs(doc).filter((r) => !own.has(r.value));
}

function allServiceRefs(doc: Document): Ref[] {
  const refs: Ref[] = [];
  const at = (path: (string | number)[]) => {
    const v = doc.getIn(path);
    if (typeof v === 'string') refs.push({ value: v, set: (s) => doc.setIn(path, s) });
  };
  const steps = doc.get('steps');
  if (isSeq(steps)) steps.items.forEach((_, i) => (at(['steps', i, 'target', 'service']), at(['steps', i, 'baseline'])));
  // An instance target (greeter-srv-3) names its service too.
  if (isSeq(steps)) {
    steps.items.forEach((_, i) => {
      const path = ['steps', i, 'target', 'instance'];
      const m = /^(.+)-(\d+)$/.exec(String(doc.getIn(path) ?? ''));
      if (m) refs.push({ value: m[1], set: (s) => doc.setIn(path, `${s}-${m[2]}`) });
    });
  }
  const expect = doc.get('expect');
  if (isSeq(expect)) expect.items.forEach((_, i) => at(['expect', i, 'service']));
  // log_lines names an instance (greeter-srv-1) or a service's instances by prefix (greeter-srv).
  if (isSeq(expect)) {
    expect.items.forEach((_, i) => {
      const path = ['expect', i, 'instance'];
      const v = doc.getIn(path);
      if (typeof v !== 'string') return;
      const m = /^(.+)-(\d+)$/.exec(v);
      if (m) refs.push({ value: m[1], set: (s) => doc.setIn(path, `${s}-${m[2]}`) });
      else at(path);
    });
  }
  at(['steady_state', 'passing', 'service']);
  at(['static_proxy', 'upstream']);
  const overrides = doc.getIn(['topology', 'services']);
  if (isMap(overrides)) {
    for (const pair of overrides.items) {
      const key = pair.key as YAML.Scalar;
      if (typeof key.value === 'string') refs.push({ value: key.value, set: (s) => (key.value = s) });
    }
  }
  return refs;
}

/** The loads that call the greeter: no path (the default), a /greeter/ path, or /rpc to a greeter service. */
function greeterLoads(doc: Document): YAMLMap[] {
  const load = doc.get('load');
  const all = isSeq(load) ? load.items : load === undefined ? [] : [load];
  return all.filter((l): l is YAMLMap => {
    // A static proxy sends its request to the replicas themselves (a plain GET), not to the greeter's API.
    if (!isMap(l) || l.get('through') === 'static-proxy') return false;
    const path = l.get('path');
    if (path === undefined) return true;
    if (typeof path === 'string' && path.startsWith('/greeter/')) return true;
    const body = l.get('body', true);
    const service = isMap(body) ? body.get('service') : undefined;
    return path === '/rpc' && typeof service === 'string' && /^go\.micro\.(srv|api)\.greeter$/.test(service);
  });
}
