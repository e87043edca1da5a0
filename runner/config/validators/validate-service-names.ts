/**
 * validateServiceNames: a service name becomes instance names (`greeter-srv-1`), log prefixes and env
 * values, so it is letters, digits, `.`, `_` and `-`, starts with a letter or digit, at most 63 characters.
 */
import type { ConfigProblem } from '../config-problem.ts';
import type { ValidationInput } from './validator.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function validateServiceNames({ topology, parsed }: ValidationInput): ConfigProblem[] {
  return topology.services
    .filter((s) => !NAME.test(s.name))
    .map((s) =>
      parsed.problemAt(
        ['services', s.name],
        `service name "${s.name}" is not allowed (letters, digits, ".", "_", "-"; starts with a letter or digit; at most 63 characters)`,
        'key',
      ),
    );
}
