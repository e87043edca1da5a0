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
