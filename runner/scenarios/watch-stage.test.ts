/**
 * The Chaos Mesh object `scenario run --against URL --chaos-mesh` applies for one step: the same mapping as
 * `scenario export chaos-mesh`, standalone, lasting the step's duration, valid against the API model (and
 * against Chaos Mesh's own CRDs when MICRO_DEV_CHAOS_MESH_CRDS names them).
 */
import { describe, expect, it } from 'vitest';
import { validateChaosObjects } from '../export/chaos-mesh/validate-chaos-objects.ts';
import { loadScenario } from './load-scenario.ts';
import { chaosObject } from './watch-stage.ts';

const place = { project: 'greeter', namespace: 'staging' };
const crdDir = process.env.MICRO_DEV_CHAOS_MESH_CRDS;

describe('chaosObject', () => {
  it('a partition step is a standalone NetworkChaos of its duration', async () => {
    const scenario = await loadScenario('network-partition');
    const object = chaosObject(scenario, scenario.steps[0]!, place);
    expect(object).toMatchObject({
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'NetworkChaos',
      metadata: { name: 'micro-dev-network-partition-cut', namespace: 'staging' },
      spec: { action: 'partition', mode: 'fixed', value: '1', direction: 'both', duration: '2000ms' },
    });
    expect(validateChaosObjects([object])).toEqual([]);
    if (crdDir) expect(validateChaosObjects([object], { crdDir })).toEqual([]);
  });

  it('a kill step is a PodChaos pod-kill; a step with no equivalent throws its reason', async () => {
    const crash = await loadScenario('crash-restart');
    const kill = chaosObject(crash, crash.steps[0]!, place);
    expect(kill).toMatchObject({ kind: 'PodChaos', spec: { action: 'pod-kill', gracePeriod: 0 } });
    expect(validateChaosObjects([kill])).toEqual([]);
    const roll = await loadScenario('rolling-restart');
    expect(() => chaosObject(roll, roll.steps[0]!, place)).toThrow(/^step roll \(rolling-restart\): .*kubectl rollout restart/);
  });
});
