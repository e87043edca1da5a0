import { describe, expect, it } from 'vitest';
import { validateDependsOnExist } from './validate-depends-on-exist.ts';
import { runValidator } from './validation-input-from-yaml.ts';

describe('validateDependsOnExist', () => {
  it.each([
    { name: 'known names', yaml: 'services:\n  a-srv: {module: a.ts}\n  a-api: {module: b.ts, depends_on: [a-srv]}\n', want: [] },
    {
      name: 'a typo gets a suggestion',
      yaml: 'services:\n  a-srv: {module: a.ts}\n  a-api: {module: b.ts, depends_on: [a-sr]}\n',
      want: ['3:38: services.a-api depends on unknown service "a-sr" (did you mean "a-srv"?)'],
    },
    {
      name: 'no match lists the services',
      yaml: 'services:\n  a: {module: a.ts}\n  b: {module: b.ts, depends_on: [database]}\n',
      want: ['3:34: services.b depends on unknown service "database" (services: a, b)'],
    },
    {
      name: 'a lone service',
      yaml: 'services:\n  b: {module: b.ts, depends_on: [database]}\n',
      want: ['2:34: services.b depends on unknown service "database" (no other services are defined)'],
    },
    {
      name: 'listed twice',
      yaml: 'services:\n  a: {module: a.ts}\n  b: {module: b.ts, depends_on: [a, a]}\n',
      want: ['3:37: services.b.depends_on lists "a" twice'],
    },
    {
      name: 'the map form with conditions points at the key',
      yaml: 'services:\n  a: {module: a.ts}\n  b:\n    module: b.ts\n    depends_on:\n      a: {condition: started}\n      aa: {condition: ready}\n',
      want: ['7:7: services.b depends on unknown service "aa" (did you mean "a"?)'],
    },
  ])('$name', ({ yaml, want }) => {
    expect(runValidator(validateDependsOnExist, yaml)).toEqual(want);
  });
});

describe('depends_on conditions', () => {
  it('the map form keeps only the non-default conditions', async () => {
    const { validationInputFrom } = await import('./validation-input-from-yaml.ts');
    const { topology } = validationInputFrom(
      'services:\n  a: {module: a.ts}\n  c: {module: c.ts}\n  b: {module: b.ts, depends_on: {a: {condition: started}, c: {}}}\n',
    );
    const b = topology.services.find((s) => s.name === 'b')!;
    expect(b.dependsOn).toEqual(['a', 'c']);
    expect(b.dependencyConditions).toEqual({ a: 'started' });
  });
});
