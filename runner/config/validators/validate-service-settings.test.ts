import { describe, expect, it } from 'vitest';
import { validateServiceSettings } from './validate-service-settings.ts';
import { runValidator } from './validation-input-from-yaml.ts';

describe('validateServiceSettings', () => {
  it.each([
    { name: 'defaults', yaml: 'services:\n  s: {module: a.ts}\n', want: [] },
    { name: 'a good log pattern', yaml: 'services:\n  s:\n    module: a.ts\n    readiness: {log: {pattern: "listening on \\\\d+"}}\n', want: [] },
    {
      name: 'a bad log pattern',
      yaml: 'services:\n  s:\n    module: a.ts\n    readiness: {log: {pattern: "(unclosed"}}\n',
      want: ['4:32: services.s: readiness log pattern is not a regular expression (/(unclosed/: Unterminated group)'],
    },
    {
      name: 'backoff above its cap',
      yaml: 'services:\n  s:\n    module: a.ts\n    restart: {backoff: 10s, backoff_max: 1s}\n',
      want: ['4:24: services.s: restart backoff 10000ms is longer than backoff_max 1000ms'],
    },
  ])('$name', ({ yaml, want }) => {
    expect(runValidator(validateServiceSettings, yaml)).toEqual(want);
  });
});
