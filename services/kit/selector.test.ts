import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { Selector } from './selector.ts';
import type { RegistryNode } from './types.ts';

const node = (id: string): RegistryNode => ({ id, address: `127.0.0.1:${id.charCodeAt(0)}`, metadata: {} });
const [a, b, c] = [node('a'), node('b'), node('c')];

describe('Selector', () => {
  it('returns undefined for no nodes', () => {
    expect(new Selector({ strategy: 'random' }).select('s', [])).toBeUndefined();
  });

  it('round_robin cycles per service', () => {
    const s = new Selector({ strategy: 'round_robin' });
    expect([1, 2, 3, 4].map(() => s.select('x', [a, b, c])!.id)).toEqual(['a', 'b', 'c', 'a']);
    expect(s.select('y', [a, b, c])!.id).toBe('a');
  });

  it('random uses the injected source', () => {
    const seq = [0, 0.5, 0.99];
    const s = new Selector({ strategy: 'random', random: () => seq.shift()! });
    expect([1, 2, 3].map(() => s.select('x', [a, b, c])!.id)).toEqual(['a', 'b', 'c']);
  });

  it('least_outstanding picks the node with fewest calls in flight', () => {
    const s = new Selector({ strategy: 'least_outstanding', random: () => 0 });
    s.begin(a);
    s.begin(a);
    s.begin(b);
    expect(s.select('x', [a, b, c])!.id).toBe('c');
    s.begin(c);
    s.begin(c);
    expect(s.select('x', [a, b, c])!.id).toBe('b');
    s.end(a);
    s.end(a);
    expect(s.select('x', [a, b, c])!.id).toBe('a');
    expect(s.outstanding(a)).toBe(0);
  });

  it('skips an ejected node for ejectMs, then takes it back', () => {
    const clock = new ManualClock();
    const s = new Selector({ strategy: 'round_robin', ejectMs: 1000, clock });
    s.eject(b);
    expect([1, 2, 3, 4].map(() => s.select('x', [a, b])!.id)).toEqual(['a', 'a', 'a', 'a']);
    clock.advance(999);
    expect(s.isEjected(b)).toBe(true);
    clock.advance(1);
    expect(s.isEjected(b)).toBe(false);
    const picks = new Set([1, 2].map(() => s.select('x', [a, b])!.id));
    expect(picks).toEqual(new Set(['a', 'b']));
  });

  it('uses ejected nodes when every node is ejected', () => {
    const s = new Selector({ strategy: 'random', ejectMs: 1000, clock: new ManualClock() });
    s.eject(a);
    expect(s.select('x', [a])!.id).toBe('a');
  });
});

describe('Selector weights (metadata weight)', () => {
  const w = (id: string, weight: string): RegistryNode => ({ id, address: `127.0.0.1:${id.charCodeAt(0)}`, metadata: { weight } });

  it('round_robin is smooth weighted round robin (nginx): 5,1,1 -> a a b a c a a', () => {
    const s = new Selector({ strategy: 'round_robin' });
    const nodes = [w('a', '5'), w('b', '1'), w('c', '1')];
    expect(Array.from({ length: 7 }, () => s.select('x', nodes)!.id).join('')).toBe('aabacaa');
  });

  it('random picks in proportion to weight', () => {
    let i = 0;
    const s = new Selector({ strategy: 'random', random: () => (i++ % 100) / 100 });
    const nodes = [w('a', '90'), w('b', '10')];
    const counts = { a: 0, b: 0 } as Record<string, number>;
    for (let k = 0; k < 100; k++) counts[s.select('x', nodes)!.id]!++;
    expect(counts).toEqual({ a: 90, b: 10 });
  });

  it('weight 0 is never picked while another node weighs more; all zero falls back to any', () => {
    const s = new Selector({ strategy: 'random', random: () => 0 });
    expect(s.select('x', [w('a', '0'), w('b', '1')])!.id).toBe('b');
    expect(new Selector({ strategy: 'round_robin', random: () => 0.99 }).select('x', [w('a', '0'), w('b', '0')])!.id).toBe('b');
  });

  it('bad weights count as 1', () => {
    const s = new Selector({ strategy: 'round_robin' });
    const nodes = [w('a', 'x'), w('b', '-3'), w('c', '2')];
    expect(Array.from({ length: 4 }, () => s.select('x', nodes)!.id).join('')).toBe('cabc');
  });
});
