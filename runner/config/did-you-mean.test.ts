import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from './did-you-mean.ts';

const SERVICE_KEYS = ['runtime', 'module', 'command', 'cwd', 'env', 'replicas', 'port', 'depends_on', 'readiness', 'restart', 'stop_timeout', 'tier', 'watch', 'container'];

describe('didYouMean', () => {
  it.each([
    { input: 'dependson', want: 'depends_on' },
    { input: 'dependsOn', want: 'depends_on' },
    { input: 'depends-on', want: 'depends_on' },
    { input: 'stopTimeout', want: 'stop_timeout' },
    { input: 'replica', want: 'replicas' },
    { input: 'modlue', want: 'module' },
    { input: 'comand', want: 'command' },
    { input: 'ports', want: 'port' },
    { input: 'image', want: undefined },
    { input: 'xyz', want: undefined },
    { input: 'completely_different', want: undefined },
  ])('$input -> $want', ({ input, want }) => {
    expect(didYouMean(input, SERVICE_KEYS)).toBe(want);
  });

  it.each([
    { input: 'workr', options: ['worker', 'process', 'container'], want: 'worker' },
    { input: 'proces', options: ['worker', 'process', 'container'], want: 'process' },
    { input: 'docker', options: ['worker', 'process', 'container'], want: undefined },
    { input: 'greeter-sr', options: ['greeter-srv', 'greeter-api'], want: 'greeter-srv' },
    { input: 'x', options: [], want: undefined },
  ])('$input among $options -> $want', ({ input, options, want }) => {
    expect(didYouMean(input, options)).toBe(want);
  });

  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['abc', 'acb', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ] as const)('editDistance(%s, %s) = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});
