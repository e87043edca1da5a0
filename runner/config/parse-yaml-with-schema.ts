/**
 * parseYamlWithSchema: steps 1 and 2 for any YAML file (topologies here, scenario files elsewhere):
 * parse with positions, then check the shape with a zod schema, turning issues into positioned problems
 * with did-you-mean. `data` is present only when there are no problems; `parsed` stays available so later
 * validators can point at keys (`parsed.problemAt(path, message)`). Pure.
 *
 *   const { data, parsed, problems } = parseYamlWithSchema(text, absFile, ScenarioSchema);
 */
import { z } from 'zod';
import { sortProblems, type ConfigProblem } from './config-problem.ts';
import { parseYamlWithPositions, type ParsedYaml } from './parse-yaml-with-positions.ts';
import { zodIssuesToProblems } from './zod-issues-to-problems.ts';

export interface SchemaCheck<T> {
  data?: T;
  parsed: ParsedYaml;
  /** Sorted by position; empty when `data` is present. */
  problems: ConfigProblem[];
}

export function parseYamlWithSchema<S extends z.core.$ZodType>(
  text: string,
  file: string,
  schema: S,
  options: { emptyMessage?: string } = {},
): SchemaCheck<z.output<S>> {
  const parsed = parseYamlWithPositions(text, file);
  if (parsed.problems.length > 0) return { parsed, problems: parsed.problems };
  if (parsed.value === null || parsed.value === undefined) {
    return { parsed, problems: [parsed.problemAt([], options.emptyMessage ?? 'the file is empty')] };
  }
  const result = z.safeParse(schema, parsed.value);
  if (!result.success) return { parsed, problems: sortProblems(zodIssuesToProblems(result.error.issues, parsed, schema)) };
  return { data: result.data, parsed, problems: [] };
}
