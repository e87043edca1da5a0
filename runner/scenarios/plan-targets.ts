/**
 * planTargets: every step's victims, chosen before the timeline starts from one seeded generator, in step
 * order. Instance names are stable across restarts, so the plan depends only on (steps, instances, seed):
 * the same seed replays the same choices, whatever the timing of the run.
 *
 *   seed --seededRandom--> rng --selectTargets(step 1)--> --selectTargets(step 2)--> ...
 */
import { selectTargets, type TargetableInstance } from '../faults/select-targets.ts';
import { seededRandom } from '../faults/seeded-random.ts';
import type { StepSpec } from './scenario-schema.ts';

export const STATIC_PROXY = 'static-proxy';

export function planTargets(steps: readonly StepSpec[], instances: readonly TargetableInstance[], seed: number): Map<string, string[]> {
  const rng = seededRandom(seed);
  const plan = new Map<string, string[]>();
  for (const step of steps) {
    // The static proxy is a target only by name, never by service / tier / percent.
    const candidates = instances.filter((c) => c.instance !== STATIC_PROXY || step.target.instance === STATIC_PROXY);
    plan.set(step.id, selectTargets(candidates, step.target, rng).map((t) => t.instance));
  }
  return plan;
}
