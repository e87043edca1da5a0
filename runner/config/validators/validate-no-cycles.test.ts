import { describe, expect, it } from 'vitest';
import { validateNoCycles } from './validate-no-cycles.ts';
import { runValidator } from './validation-input-from-yaml.ts';

const services = (lines: string[]) => `services:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;

describe('validateNoCycles', () => {
  it.each([
    { name: 'no dependencies', yaml: services(['a: {module: a.ts}', 'b: {module: b.ts}']), want: [] },
    {
      name: 'a chain',
      yaml: services(['a: {module: a.ts, depends_on: [b]}', 'b: {module: b.ts, depends_on: [c]}', 'c: {module: c.ts}']),
      want: [],
    },
    {
      name: 'a diamond',
      yaml: services(['a: {module: a.ts, depends_on: [b, c]}', 'b: {module: b.ts, depends_on: [d]}', 'c: {module: c.ts, depends_on: [d]}', 'd: {module: d.ts}']),
      want: [],
    },
    {
      name: 'two services',
      yaml: services(['a: {module: a.ts, depends_on: [b]}', 'b: {module: b.ts, depends_on: [a]}']),
      want: ['2:34: dependency cycle: a -> b -> a'],
    },
    { name: 'itself', yaml: services(['a: {module: a.ts, depends_on: [a]}']), want: ['2:34: dependency cycle: a -> a'] },
    {
      name: 'three services, reported once',
      yaml: services(['a: {module: a.ts, depends_on: [b]}', 'b: {module: b.ts, depends_on: [c]}', 'c: {module: c.ts, depends_on: [a]}']),
      want: ['2:34: dependency cycle: a -> b -> c -> a'],
    },
    {
      name: 'a cycle behind a chain is named from where it closes',
      yaml: services(['x: {module: x.ts, depends_on: [a]}', 'a: {module: a.ts, depends_on: [b]}', 'b: {module: b.ts, depends_on: [a]}']),
      want: ['3:34: dependency cycle: a -> b -> a'],
    },
    {
      name: 'two separate cycles',
      yaml: services(['a: {module: a.ts, depends_on: [b]}', 'b: {module: b.ts, depends_on: [a]}', 'c: {module: c.ts, depends_on: [c]}']),
      want: ['2:34: dependency cycle: a -> b -> a', '4:34: dependency cycle: c -> c'],
    },
    { name: 'unknown names are not cycles', yaml: services(['a: {module: a.ts, depends_on: [zzz]}']), want: [] },
  ])('$name', ({ yaml, want }) => {
    expect(runValidator(validateNoCycles, yaml)).toEqual(want);
  });
});
