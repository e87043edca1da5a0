/**
 * zodIssuesToProblems: step 2's error side. Turns zod issues into ConfigProblems that point at the
 * offending key or value in the YAML and read like a person wrote them:
 *
 *   unknown key "dependson" in services.greeter-api (did you mean "depends_on"?)
 *   unknown runtime "workr" in services.greeter-api (did you mean "worker"?)
 *   services.greeter-srv.replicas: expected an integer, got string "two"
 *   services.greeter-srv.replicas: must be >= 1, got 0
 *
 * Unions are explained through the branch the value was clearly aiming at (an object for the mapping form,
 * a string for the short form) instead of zod's "Invalid input". Known keys for did-you-mean come from the
 * schema itself. Pure; reused by the scenario loader.
 */
import type { z } from 'zod';
import type { ConfigProblem } from './config-problem.ts';
import { didYouMean } from './did-you-mean.ts';
import type { ParsedYaml, YamlPath } from './parse-yaml-with-positions.ts';

type Issue = z.core.$ZodIssue;
type Key = PropertyKey;

export function zodIssuesToProblems(
  issues: readonly Issue[],
  parsed: Pick<ParsedYaml, 'value' | 'problemAt'>,
  schema: z.core.$ZodType,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (issue: Issue, base: readonly Key[]): void => {
    const path = [...base, ...issue.path] as (string | number)[];
    const value = valueAt(parsed.value, path);
    const absent = value === undefined && path.length > 0;
    if (absent && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union')) {
      problems.push(parsed.problemAt(path, `missing required key "${String(path.at(-1))}" ${where(path.slice(0, -1))}`));
      return;
    }
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, path);
        for (const key of issue.keys) {
          const guess = didYouMean(key, known);
          const hint = guess ? ` (did you mean "${guess}"?)` : known.length ? ` (known keys: ${known.join(', ')})` : '';
          problems.push(parsed.problemAt([...path, key], `unknown key "${key}" ${where(path)}${hint}`, 'key'));
        }
        return;
      }
      case 'invalid_union': {
        // A discriminated union whose tag matches no branch (`fault: partiton`): the tags are the options.
        const tags = (issue as { options?: unknown[] }).options;
        const key = path.at(-1);
        if (Array.isArray(tags) && typeof value === 'string' && typeof key === 'string') {
          const options = tags.map(String);
          const guess = didYouMean(value, options);
          const hint = guess ? `did you mean "${guess}"?` : `expected one of ${options.join(', ')}`;
          problems.push(parsed.problemAt(path, `unknown ${key} "${value}" ${where(path.slice(0, -1))} (${hint})`, 'value'));
          return;
        }
        const branch = pickBranch(issue.errors, value);
        if (branch) for (const inner of branch) add(inner, path);
        else problems.push(parsed.problemAt(path, `${show(path)}: ${unionHint(issue)}, got ${describe(value)}`, 'value'));
        return;
      }
      case 'invalid_type':
        problems.push(parsed.problemAt(path, `${show(path)}: expected ${typeName(issue.expected)}, got ${describe(value)}`, 'value'));
        return;
      case 'invalid_value': {
        const options = issue.values.map(String);
        const key = path.at(-1);
        if (typeof value === 'string' && typeof key === 'string') {
          const guess = didYouMean(value, options);
          const hint = guess ? `did you mean "${guess}"?` : `expected one of ${options.join(', ')}`;
          problems.push(parsed.problemAt(path, `unknown ${key} "${value}" ${where(path.slice(0, -1))} (${hint})`, 'value'));
        } else {
          const want = options.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${options.join(', ')}`;
          problems.push(parsed.problemAt(path, `${show(path)}: expected ${want}, got ${describe(value)}`, 'value'));
        }
        return;
      }
      case 'too_small':
      case 'too_big': {
        const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
        const what =
          issue.origin === 'array' || issue.origin === 'set'
            ? `must have ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(limit)} item(s), got ${Array.isArray(value) ? value.length : describe(value)}`
            : issue.origin === 'string'
              ? `must be ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(limit)} character(s) long`
              : `must be ${op} ${String(limit)}, got ${describe(value)}`;
        problems.push(parsed.problemAt(path, `${show(path)}: ${what}`, 'value'));
        return;
      }
      default:
        // invalid_format, custom, ...: the schema's own message (every one in our schemas is written for people).
        problems.push(parsed.problemAt(path, `${show(path)}: ${issue.message}`, issue.code === 'custom' ? 'key' : 'value'));
    }
  };
  for (const issue of issues) add(issue, []);
  return problems;
}

/**
 * The branch of a failed union the value was aiming at: one whose type matched (its issues are deeper than
 * the union itself), else one with the right type but a wrong value (an enum), else none.
 */
function pickBranch(branches: readonly (readonly Issue[])[], value: unknown): readonly Issue[] | undefined {
  const rank = (issues: readonly Issue[]): number => {
    let r = 0;
    for (const i of issues) {
      if (i.path.length > 0) continue;
      if (i.code === 'invalid_type' || i.code === 'invalid_union') r = Math.max(r, 2);
      // A one-value literal (`tls: auto`) is a form, not a list to pick from: explain the union instead.
      else if (i.code === 'invalid_value') {
        r = Math.max(r, i.values.length > 1 && i.values.some((v) => typeof v === typeof value) ? 1 : 2);
      }
    }
    return r;
  };
  const ranked = branches.map((b) => ({ b, r: rank(b) })).filter((x) => x.r < 2);
  ranked.sort((x, y) => x.r - y.r || x.b.length - y.b.length);
  return ranked[0]?.b;
}

function unionHint(issue: Issue): string {
  return issue.message && issue.message !== 'Invalid input' ? issue.message : 'unexpected value';
}

/** Keys an object schema at `path` accepts (for unions: all branches' keys). */
export function knownKeysAt(schema: z.core.$ZodType, path: YamlPath): string[] {
  const keys = new Set<string>();
  const visit = (s: z.core.$ZodType | undefined, rest: YamlPath, depth: number): void => {
    if (!s || depth > 64) return;
    const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        return visit(def.innerType as z.core.$ZodType, rest, depth + 1);
      case 'pipe':
        return visit(def.in as z.core.$ZodType, rest, depth + 1);
      case 'lazy':
        return visit((def.getter as () => z.core.$ZodType)(), rest, depth + 1);
      case 'union':
        for (const o of def.options as z.core.$ZodType[]) visit(o, rest, depth + 1);
        return;
      case 'object': {
        const shape = def.shape as Record<string, z.core.$ZodType>;
        if (rest.length === 0) for (const k of Object.keys(shape)) keys.add(k);
        else visit(shape[String(rest[0])], rest.slice(1), depth + 1);
        return;
      }
      case 'record':
        if (rest.length > 0) visit(def.valueType as z.core.$ZodType, rest.slice(1), depth + 1);
        return;
      case 'array':
        if (rest.length > 0) visit(def.element as z.core.$ZodType, rest.slice(1), depth + 1);
        return;
    }
  };
  visit(schema, path, 0);
  return [...keys];
}

function valueAt(root: unknown, path: readonly Key[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<Key, unknown>)[seg];
  }
  return v;
}

/** `services.greeter-api.depends_on[0]`; the top level is `top level`. */
export function showPath(path: readonly Key[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${String(seg)}` : String(seg);
  return out;
}

const show = (path: readonly Key[]): string => showPath(path) || 'top level';
const where = (path: readonly Key[]): string => (path.length ? `in ${showPath(path)}` : 'at the top level');

function typeName(expected: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'an integer',
    boolean: 'true or false',
    object: 'a mapping',
    record: 'a mapping',
    array: 'a list',
    null: 'nothing',
  };
  return names[expected] ?? expected;
}

/** `string "two"`, `number 5`, `a list`, `a mapping`, `nothing` (YAML null). */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)}`;
  return `${typeof value} ${String(value)}`;
}
