import type { InstanceView } from '../../engine/api.ts';

export const TierOrder = ['web', 'api', 'srv', 'other'] as const;

/** Instances grouped by tier (web, api, srv, other), engine order kept inside a tier. Navigation uses this. */
export function orderInstances(instances: readonly InstanceView[]): InstanceView[] {
  const rank = (v: InstanceView) => {
    const i = (TierOrder as readonly string[]).indexOf(v.tier);
    return i < 0 ? TierOrder.length : i;
  };
  return instances
    .map((v, i) => ({ v, i }))
    .sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i)
    .map((x) => x.v);
}
