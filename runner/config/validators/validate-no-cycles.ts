/**
 * validateNoCycles: depends_on must form a DAG. Each cycle is reported once, named in full
 * (`dependency cycle: a -> b -> a`), at the depends_on entry where it starts.
 */
import type { ConfigProblem } from '../config-problem.ts';
import type { ValidationInput } from './validator.ts';
import { dependsOnPath } from './depends-on-path.ts';

export function validateNoCycles({ topology, parsed, raw }: ValidationInput): ConfigProblem[] {
  const deps = new Map(topology.services.map((s) => [s.name, s.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];

  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of deps.get(name) ?? []) {
      if (!deps.has(dep)) continue; // validateDependsOnExist reports it
      if (state.get(dep) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep];
        const key = [...new Set(cycle)].sort().join('\0');
        if (seen.has(key)) continue;
        seen.add(key);
        const [from, to] = [cycle[0]!, cycle[1]!];
        const index = deps.get(from)!.indexOf(to);
        const { path, at } = dependsOnPath(raw, from, to, index);
        problems.push(parsed.problemAt(path, `dependency cycle: ${cycle.join(' -> ')}`, at));
      } else if (!state.has(dep)) {
        visit(dep);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const s of topology.services) if (!state.has(s.name)) visit(s.name);
  return problems;
}
