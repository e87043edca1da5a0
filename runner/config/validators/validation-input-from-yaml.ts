/**
 * validationInputFrom: builds a validator's input from YAML text (parse -> shape -> defaults), for the
 * validators' table tests. Throws if the text does not pass the shape step: validator tests start valid.
 */
import { applyDefaults } from '../apply-defaults.ts';
import { formatProblem } from '../config-problem.ts';
import { ConfigSchema } from '../config-schema.ts';
import { parseYamlWithPositions } from '../parse-yaml-with-positions.ts';
import { zodIssuesToProblems } from '../zod-issues-to-problems.ts';
import type { ValidationInput, Validator } from './validator.ts';

export const TEST_FILE = '/project/micro.dev.yaml';

/** `existing`: absolute paths fileExists answers true for (default: every path exists). */
export function validationInputFrom(yaml: string, existing?: readonly string[]): ValidationInput {
  const parsed = parseYamlWithPositions(yaml, TEST_FILE);
  const shaped = ConfigSchema.safeParse(parsed.value);
  if (!shaped.success) {
    const problems = zodIssuesToProblems(shaped.error.issues, parsed, ConfigSchema);
    throw new Error(`test YAML does not pass the shape step:\n${problems.map((p) => formatProblem(p, '/project')).join('\n')}`);
  }
  const set = existing ? new Set(existing) : undefined;
  return {
    topology: applyDefaults(shaped.data, TEST_FILE),
    raw: shaped.data,
    parsed,
    fileExists: (p) => (set ? set.has(p) : true),
  };
}

/** `LINE:COL: message` for each problem `validate` finds in `yaml`. */
export function runValidator(validate: Validator, yaml: string, existing?: readonly string[]): string[] {
  return validate(validationInputFrom(yaml, existing)).map((p) => `${p.line}:${p.col}: ${p.message}`);
}
