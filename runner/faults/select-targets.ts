/**
 * selectTargets: which instances a fault hits. Pure: filter by service / instance / tier, then, for percent
 * or count, a seeded partial shuffle, so the same seed and the same instances always give the same victims
 * (whatever order the instances arrive in).
 *
 *   instances --filter(target)--> sorted by name --take k with rng (Fisher-Yates)--> victims, sorted by name
 *
 * percent rounds up (10 % of 3 instances = 1, never 0 when something matched).
 */
import type { FaultTarget } from './fault-spec.ts';

export interface TargetableInstance {
  instance: string;
  service: string;
  tier: 'web' | 'api' | 'srv' | 'other';
}

export function selectTargets<T extends TargetableInstance>(instances: readonly T[], target: FaultTarget, rng: () => number): T[] {
  const matching = instances
    .filter(
      (i) =>
        (target.service === undefined || i.service === target.service) &&
        (target.instance === undefined || i.instance === target.instance) &&
        (target.tier === undefined || i.tier === target.tier),
    )
    .sort((a, b) => (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0));
  const k =
    target.count !== undefined
      ? Math.min(target.count, matching.length)
      : target.percent !== undefined
        ? Math.min(matching.length, Math.ceil((matching.length * target.percent) / 100 - 1e-9))
        : matching.length;
  if (k === matching.length) return matching;
  const pool = [...matching];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, k).sort((a, b) => (a.instance < b.instance ? -1 : 1));
}
