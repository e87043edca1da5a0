import { describe, expect, it } from 'vitest';
import { dependencyWaves, dependentsOf } from './dependency-order.ts';
import type { ServiceConfig } from '../config/topology.ts';

const svc = (name: string, dependsOn: string[] = []) => ({ name, dependsOn }) as ServiceConfig;

describe('dependencyWaves', () => {
  it.each([
    { services: [svc('a')], waves: [['a']] },
    { services: [svc('web', ['api']), svc('api', ['srv']), svc('srv')], waves: [['srv'], ['api'], ['web']] },
    { services: [svc('a'), svc('b'), svc('c', ['a', 'b'])], waves: [['a', 'b'], ['c']] },
  ])('orders $waves', ({ services, waves }) => {
    expect(dependencyWaves(services).map((w) => w.map((s) => s.name))).toEqual(waves);
  });

  it('names the services of a cycle', () => {
    expect(() => dependencyWaves([svc('a', ['b']), svc('b', ['a'])])).toThrow('dependency cycle among: a, b');
  });

  it('finds transitive dependents in start order', () => {
    const all = [svc('web', ['api']), svc('api', ['srv']), svc('srv'), svc('other')];
    expect(dependentsOf(all, 'srv').map((s) => s.name)).toEqual(['api', 'web']);
  });
});
