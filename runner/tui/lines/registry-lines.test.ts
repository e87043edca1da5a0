import { describe, expect, it } from 'vitest';
import type { RegistryView } from '../../engine/api.ts';
import { registryLines } from './registry-lines.ts';
import type { Line } from './line.ts';

const text = (l: Line) => l.map((s) => s.text).join('');
const etcd = (roles: ('leader' | 'follower' | 'no-leader' | 'down')[], faults: string[][] = []): RegistryView => ({
  kind: 'etcd',
  semantics: 'etcd',
  address: '127.0.0.1:2379',
  passing: 5,
  critical: 0,
  members: roles.map((role, i) => ({ name: `etcd-${i + 1}`, role, term: 4, address: `127.0.0.1:2350${i}`, links: [], faults: faults[i] ?? [] })),
});

describe('registryLines: the members of a registry cluster', () => {
  it('draws one line per member: role, term, address, and its faults in red', () => {
    const lines = registryLines(etcd(['leader', 'follower', 'down'], [[], ['partition'], ['kill']]), { width: 60 });
    const members = lines.map(text).filter((l) => l.startsWith('etcd-'));
    expect(members).toEqual(['etcd-1 leader t4 127.0.0.1:23500', 'etcd-2 follower t4 127.0.0.1:23501 partition', 'etcd-3 down t4 127.0.0.1:23502 kill']);
    const down = lines.find((l) => text(l).startsWith('etcd-3'))!;
    expect(down.find((s) => s.text === 'down')?.tone).toBe('bad');
    expect(down.find((s) => s.text === ' kill')?.tone).toBe('bad');
  });

  it('sums them up on one line when compact: how many are up, who leads (or that nobody does)', () => {
    expect(text(registryLines(etcd(['leader', 'follower', 'follower']), { width: 120, compact: true })[0]!)).toContain('members 3/3 up, leader etcd-1');
    expect(text(registryLines(etcd(['no-leader', 'down', 'down']), { width: 120, compact: true })[0]!)).toContain('members 1/3 up, no leader');
  });

  it('draws no member line for a registry of one node', () => {
    const lines = registryLines({ kind: 'embedded', semantics: 'consul', address: '127.0.0.1:8500', passing: 3, critical: 0 }, { width: 60 });
    expect(lines.map(text).join('\n')).not.toContain('members');
    expect(lines).toHaveLength(4);
  });
});
