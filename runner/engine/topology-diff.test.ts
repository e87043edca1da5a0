import { describe, expect, it } from 'vitest';
import { validationInputFrom } from '../config/validators/validation-input-from-yaml.ts';
import { diffTopology } from './topology-diff.ts';

const topology = (yaml: string) => validationInputFrom(yaml).topology;
const base = 'gateway: {port: 8080}\nservices:\n  a: {module: a.ts}\n  b: {module: b.ts, replicas: 2}\n  c: {module: c.ts}\n';

describe('diffTopology', () => {
  it.each([
    { name: 'nothing', yaml: base, want: { added: [], removed: [], changed: [], scaled: [], infrastructure: [] } },
    {
      name: 'added, removed, changed, scaled',
      yaml: 'gateway: {port: 8080}\nservices:\n  a: {module: a2.ts}\n  b: {module: b.ts, replicas: 3}\n  d: {module: d.ts}\n',
      want: { added: ['d'], removed: ['c'], changed: ['a'], scaled: [{ name: 'b', replicas: 3 }], infrastructure: [] },
    },
    {
      name: 'a replica count and something else is a change',
      yaml: 'gateway: {port: 8080}\nservices:\n  a: {module: a.ts}\n  b: {module: b.ts, replicas: 3, env: {X: 1}}\n  c: {module: c.ts}\n',
      want: { added: [], removed: [], changed: ['b'], scaled: [], infrastructure: [] },
    },
    {
      name: 'infrastructure',
      yaml: 'gateway: {port: 8081}\nproxy: {port: 9000}\nservices:\n  a: {module: a.ts}\n  b: {module: b.ts, replicas: 2}\n  c: {module: c.ts}\n',
      want: { added: [], removed: [], changed: [], scaled: [], infrastructure: ['gateway', 'proxy'] },
    },
  ])('$name', ({ yaml, want }) => {
    const diff = diffTopology(topology(base), topology(yaml));
    expect({ ...diff, added: diff.added.map((s) => s.name), changed: diff.changed.map((s) => s.name) }).toEqual(want);
  });
});
