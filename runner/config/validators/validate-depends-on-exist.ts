/** validateDependsOnExist: every depends_on entry names a service of this topology, once. */
import type { ConfigProblem } from '../config-problem.ts';
import { didYouMean } from '../did-you-mean.ts';
import type { ValidationInput } from './validator.ts';
import { dependsOnPath } from './depends-on-path.ts';

export function validateDependsOnExist({ topology, parsed, raw }: ValidationInput): ConfigProblem[] {
  const names = topology.services.map((s) => s.name);
  const problems: ConfigProblem[] = [];
  for (const s of topology.services) {
    s.dependsOn.forEach((dep, i) => {
      const { path, at } = dependsOnPath(raw, s.name, dep, i);
      if (!names.includes(dep)) {
        const guess = didYouMean(dep, names.filter((n) => n !== s.name));
        const hint = guess ? `did you mean "${guess}"?` : names.length > 1 ? `services: ${names.join(', ')}` : 'no other services are defined';
        problems.push(parsed.problemAt(path, `services.${s.name} depends on unknown service "${dep}" (${hint})`, at));
      } else if (s.dependsOn.indexOf(dep) !== i) {
        problems.push(parsed.problemAt(path, `services.${s.name}.depends_on lists "${dep}" twice`, at));
      }
    });
  }
  return problems;
}
