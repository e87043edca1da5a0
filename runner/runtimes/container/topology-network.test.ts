import { describe, expect, it } from 'vitest';
import { subnetCandidates } from './topology-network.ts';

describe('subnetCandidates (the /24s a topology network tries)', () => {
  // A Docker default-pool network (compose's, a bare `docker network create`) can hold all of 172.30.0.0/16
  // or of 172.31.0.0/16: half of a network's tries must lie in each, from the first two on.
  it.each(['micro-dev-greeter-abc123', 'micro-dev-reaper-o3i-da48d4', 'micro-dev-x-1', 'micro-dev-shop-zz9'])('%s: both /16s, half each, no repeats', (name) => {
    const tries = subnetCandidates(name);
    expect(tries).toHaveLength(48);
    expect(new Set(tries).size).toBe(48);
    expect(tries.every((p) => /^172\.3[01]\.\d{1,3}$/.test(p) && Number(p.split('.')[2]) <= 255)).toBe(true);
    expect(tries.filter((p) => p.startsWith('172.30.'))).toHaveLength(24);
    expect(new Set(tries.slice(0, 2).map((p) => p.split('.')[1]))).toEqual(new Set(['30', '31']));
    expect(subnetCandidates(name)).toEqual(tries); // the same name tries the same subnets (a restart finds its own)
  });
});
