import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatProblem } from './config-problem.ts';
import { duration } from './config-schema.ts';
import { parseYamlWithSchema } from './parse-yaml-with-schema.ts';

// A scenario-like schema, as another loader would bring its own.
const Scenario = z.strictObject({
  name: z.string(),
  steps: z.array(z.strictObject({ at: duration, do: z.enum(['kill', 'latency']) })).min(1),
});

const check = (text: string) => {
  const r = parseYamlWithSchema(text, '/s/chaos.yaml', Scenario, { emptyMessage: 'empty scenario' });
  return { data: r.data, problems: r.problems.map((p) => formatProblem(p, '/s')) };
};

describe('parseYamlWithSchema', () => {
  it.each([
    { name: 'valid', text: 'name: x\nsteps:\n  - {at: 5s, do: kill}\n', problems: [] },
    { name: 'syntax', text: 'name: [x\n', problems: ['chaos.yaml:2:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]'] },
    { name: 'empty', text: '\n', problems: ['chaos.yaml:1:1: empty scenario'] },
    {
      name: 'shape, sorted by position',
      text: 'steps:\n  - {at: soon, do: kil}\nnam: x\n',
      problems: [
        'chaos.yaml:1:1: missing required key "name" at the top level',
        'chaos.yaml:2:10: steps[0].at: expected a duration such as 300ms, 5s, 1m30s, or a number of milliseconds (no spaces inside)',
        'chaos.yaml:2:20: unknown do "kil" in steps[0] (did you mean "kill"?)',
        'chaos.yaml:3:1: unknown key "nam" at the top level (did you mean "name"?)',
      ],
    },
    { name: 'too few', text: 'name: x\nsteps: []\n', problems: ['chaos.yaml:2:8: steps: must have at least 1 item(s), got 0'] },
  ])('$name', ({ text, problems }) => {
    const r = check(text);
    expect(r.problems).toEqual(problems);
    expect(r.data === undefined).toBe(problems.length > 0);
  });
});
