/**
 * validateServiceSettings: per-service values that are well-typed but inconsistent: a log readiness pattern
 * that is not a regular expression, a restart backoff longer than its cap.
 */
import type { ConfigProblem } from '../config-problem.ts';
import type { ValidationInput } from './validator.ts';

export function validateServiceSettings({ topology, parsed }: ValidationInput): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const s of topology.services) {
    const base = ['services', s.name];
    if (s.readiness.kind === 'log') {
      try {
        new RegExp(s.readiness.pattern);
      } catch (e) {
        const why = (e as Error).message.replace(/^Invalid regular expression: /, '');
        problems.push(parsed.problemAt([...base, 'readiness', 'log', 'pattern'], `services.${s.name}: readiness log pattern is not a regular expression (${why})`, 'value'));
      }
    }
    if (s.restart.backoffMs > s.restart.backoffMaxMs) {
      problems.push(
        parsed.problemAt(
          [...base, 'restart', 'backoff'],
          `services.${s.name}: restart backoff ${s.restart.backoffMs}ms is longer than backoff_max ${s.restart.backoffMaxMs}ms`,
          'value',
        ),
      );
    }
  }
  return problems;
}
