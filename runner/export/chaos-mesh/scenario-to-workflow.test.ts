/**
 * Every built-in scenario as a Chaos Mesh Workflow: exported and valid against the v2.8.3 API model, or
 * refused with a reason that names the step and its fault. With MICRO_DEV_CHAOS_MESH_CRDS set to a folder of
 * Chaos Mesh's own CRD files, the same exports are also checked against those (see README.md).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScenarios } from '../../scenarios/list-scenarios.ts';
import { loadScenario } from '../../scenarios/load-scenario.ts';
import { scenarioToWorkflow } from './scenario-to-workflow.ts';
import { validateChaosObjects, type ChaosObject } from './validate-chaos-objects.ts';

const place = { project: 'greeter', namespace: 'staging' };
const crdDir = process.env.MICRO_DEV_CHAOS_MESH_CRDS;

/** The built-in scenarios whose faults have no Chaos Mesh form, with the fault named in the reason. */
const REFUSED: Record<string, RegExp> = {
  'crash-loop': /^step loop \(crash-loop\): .*clock/,
  'leader-partition': /^step cut \(partition\): its target is the instance holding lock service\/go\.micro\.srv\.leader\/leader/,
  'nginx-spof': /^step nginx-down \(kill\): its target is the static proxy/,
  'registry-partition-ap': /^step (minority|majority)-register \(rolling-restart\): .*kubectl rollout restart/,
  'rolling-restart': /^step roll \(rolling-restart\): .*kubectl rollout restart/,
  'slow-start': /^step boot \(slow-start\): /,
};

async function exported(name: string) {
  return scenarioToWorkflow(await loadScenario(name), place);
}

function template(workflow: ChaosObject, name: string): Record<string, unknown> {
  const t = (workflow.spec.templates as Record<string, unknown>[]).find((x) => x.name === name);
  if (!t) throw new Error(`no template ${name} in ${JSON.stringify(workflow.spec)}`);
  return t;
}

describe('scenario -> Chaos Mesh Workflow', () => {
  it('exports and validates every built-in scenario, or names the fault it cannot map', async () => {
    const names = (await listScenarios()).map((s) => s.name);
    expect(names.length).toBeGreaterThanOrEqual(12);
    let valid = 0;
    for (const name of names) {
      const out = await exported(name);
      if ('unmapped' in out) {
        const expected = REFUSED[name];
        // A scenario added later may be refused too, but only with a reason of the same form.
        for (const reason of out.unmapped) expect(reason, name).toMatch(expected ?? /^step [a-z0-9_-]+ \([a-z-]+\): .{20,}/);
        continue;
      }
      expect(REFUSED[name], `${name} was expected to be refused`).toBeUndefined();
      expect(validateChaosObjects([out.workflow]), name).toEqual([]);
      if (crdDir) expect(validateChaosObjects([out.workflow], { crdDir }), `${name} against ${crdDir}`).toEqual([]);
      valid++;
    }
    expect(valid).toBeGreaterThanOrEqual(7);
  });

  it('network-partition: a NetworkChaos partition of one greeter-srv pod from the whole project, after 1 s, for 2 s', async () => {
    const out = await exported('network-partition');
    if ('unmapped' in out) throw new Error(out.unmapped.join('\n'));
    const w = out.workflow;
    expect(w).toMatchObject({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'Workflow', metadata: { name: 'micro-dev-network-partition', namespace: 'staging' } });
    expect(w.spec.entry).toBe('network-partition');
    expect(template(w, 'network-partition')).toEqual({ name: 'network-partition', templateType: 'Parallel', children: ['cut'] });
    expect(template(w, 'cut')).toEqual({ name: 'cut', templateType: 'Serial', children: ['cut-wait', 'cut-fault'] });
    expect(template(w, 'cut-wait')).toEqual({ name: 'cut-wait', templateType: 'Suspend', deadline: '1000ms' });
    const project = { 'app.kubernetes.io/instance': 'greeter', 'app.kubernetes.io/part-of': 'micro-dev' };
    expect(template(w, 'cut-fault')).toEqual({
      name: 'cut-fault',
      templateType: 'NetworkChaos',
      deadline: '2000ms',
      networkChaos: {
        action: 'partition',
        mode: 'fixed',
        value: '1',
        direction: 'both',
        selector: {
          namespaces: ['staging'],
          labelSelectors: { 'app.kubernetes.io/name': 'greeter-srv', 'app.kubernetes.io/instance': 'greeter', 'app.kubernetes.io/component': 'service' },
        },
        target: { mode: 'all', selector: { namespaces: ['staging'], labelSelectors: project } },
      },
    });
  });

  it('maps kill, heartbeat-loss, latency and registry-outage onto the exported labels', async () => {
    const fault = async (name: string, step: string) => {
      const out = await exported(name);
      if ('unmapped' in out) throw new Error(out.unmapped.join('\n'));
      return template(out.workflow, `${step}-fault`);
    };
    expect(await fault('crash-restart', 'crash')).toMatchObject({ templateType: 'PodChaos', podChaos: { action: 'pod-kill', mode: 'fixed', value: '1', gracePeriod: 0 } });
    expect(await fault('heartbeat-loss', 'silence')).toMatchObject({
      networkChaos: {
        action: 'partition',
        direction: 'both',
        target: { mode: 'all', selector: { labelSelectors: { 'app.kubernetes.io/name': 'micro-dev-registry', 'app.kubernetes.io/component': 'registry' } } },
      },
    });
    expect(await fault('heartbeat-loss-eureka', 'silence')).toMatchObject({ networkChaos: { mode: 'fixed-percent', value: '75' } });
    expect(await fault('latency-injection', 'slow')).toMatchObject({ networkChaos: { action: 'delay', direction: 'to', delay: { latency: '200ms', jitter: '0ms' } } });
    expect(await fault('registry-outage', 'outage')).toMatchObject({
      networkChaos: {
        action: 'partition',
        mode: 'all',
        selector: { labelSelectors: { 'app.kubernetes.io/name': 'micro-dev-registry', 'app.kubernetes.io/instance': 'greeter', 'app.kubernetes.io/component': 'registry' } },
        target: { mode: 'all', selector: { expressionSelectors: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['service', 'gateway'] }] } },
      },
    });
  });
});

describe('registry member faults', () => {
  it('registry-partition / -member-kill / -member-slow act on the registry pods, with a note that Chaos Mesh picks which', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'chaos-registry-')), 'registry-drill.yaml');
    await writeFile(
      file,
      `topology: {registry: {kind: etcd, nodes: 3}}
steps:
  - {id: split, at: 1s, fault: registry-partition, isolate: leader, duration: 2s}
  - {id: down, at: 4s, fault: registry-member-kill, members: [follower, follower], duration: 2s}
  - {id: slow, at: 7s, fault: registry-member-slow, latency: 300ms, duration: 2s}
`,
    );
    const out = scenarioToWorkflow(await loadScenario(file), place);
    if ('unmapped' in out) throw new Error(out.unmapped.join('\n'));
    const registry = { 'app.kubernetes.io/name': 'micro-dev-registry', 'app.kubernetes.io/instance': 'greeter', 'app.kubernetes.io/component': 'registry' };
    expect(template(out.workflow, 'split-fault')).toMatchObject({
      networkChaos: { action: 'partition', mode: 'one', selector: { labelSelectors: registry }, direction: 'both', target: { mode: 'all', selector: { labelSelectors: registry } } },
    });
    expect(template(out.workflow, 'down-fault')).toMatchObject({ podChaos: { action: 'pod-kill', mode: 'fixed', value: '2', selector: { labelSelectors: registry } } });
    expect(template(out.workflow, 'slow-fault')).toMatchObject({ networkChaos: { action: 'delay', mode: 'one', delay: { latency: '300ms' } } });
    expect(out.notes).toContain('step down: 2 registry pod(s) for follower, follower: Chaos Mesh picks which (it cannot select a leader or a member by name)');
    expect(validateChaosObjects([out.workflow])).toEqual([]);
    if (crdDir) expect(validateChaosObjects([out.workflow], { crdDir })).toEqual([]);
  });
});

describe('validateChaosObjects', () => {
  async function valid(): Promise<ChaosObject> {
    const out = await exported('latency-injection');
    if ('unmapped' in out) throw new Error(out.unmapped.join('\n'));
    return out.workflow;
  }
  const broken: [string, (w: ChaosObject) => void, RegExp][] = [
    ['a latency without a unit', (w) => ((fault(w).networkChaos as { delay: { latency: string } }).delay.latency = '200'), /\/networkChaos\/delay\/latency: must match pattern/],
    ['a misspelt field', (w) => ((fault(w).networkChaos as Record<string, unknown>).directon = 'to'), /must NOT have additional properties \(directon\)/],
    ['an unknown action', (w) => ((fault(w).networkChaos as Record<string, unknown>).action = 'cut'), /\/action: must be equal to one of the allowed values/],
    ['a Suspend without deadline', (w) => delete (w.spec.templates as Record<string, unknown>[]).find((t) => t.templateType === 'Suspend')!.deadline, /a Suspend template needs a deadline/],
    ['a child that does not exist', (w) => ((w.spec.templates as { children?: string[] }[])[0]!.children = ['nope']), /children\/0: no template named "nope"/],
    ['a duration inside the chaos', (w) => ((fault(w).networkChaos as Record<string, unknown>).duration = '2s'), /the template's deadline sets the duration/],
    ['mode fixed with value 0', (w) => ((fault(w).networkChaos as Record<string, unknown>).value = '0'), /mode fixed needs a whole number > 0/],
    ['an upper-case name', (w) => (w.metadata.name = 'Micro-Dev'), /metadata\/name: must be a DNS-1123 subdomain/],
  ];
  function fault(w: ChaosObject): Record<string, unknown> {
    return (w.spec.templates as Record<string, unknown>[]).find((t) => t.templateType === 'NetworkChaos')!;
  }
  for (const [what, breakIt, message] of broken) {
    it(`refuses ${what}`, async () => {
      const w = await valid();
      expect(validateChaosObjects([w])).toEqual([]);
      breakIt(w);
      expect(validateChaosObjects([w]).join('\n')).toMatch(message);
      // Chaos Mesh's own CRDs catch the schema half of these too (the rules half is the webhook's).
      if (crdDir && /must/.test(message.source)) expect(validateChaosObjects([w], { crdDir }).join('\n')).toMatch(message);
    });
  }
});
