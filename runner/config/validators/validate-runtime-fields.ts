/**
 * validateRuntimeFields: each runtime gets what it needs and nothing meant for another runtime.
 *
 *   runtime    needs                      may not have
 *   worker     module                     command, container
 *   process    command                    module, container
 *   container  container.image|dockerfile module, cwd
 *
 * (A container may have `command`: it replaces the image's CMD.)
 */
import type { ConfigProblem } from '../config-problem.ts';
import { splitCommand } from '../split-command.ts';
import type { RuntimeKind } from '../topology.ts';
import type { ValidationInput } from './validator.ts';

const OWNER: Record<string, RuntimeKind[]> = {
  module: ['worker'],
  command: ['process', 'container'],
  container: ['container'],
  cwd: ['worker', 'process'],
};

export function validateRuntimeFields({ topology, raw, parsed }: ValidationInput): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const s of topology.services) {
    const r = raw.services?.[s.name] ?? {};
    const base = ['services', s.name];
    const runtimeNote = r.runtime === undefined ? `runtime ${s.runtime} (the default)` : `runtime ${s.runtime}`;

    for (const [key, owners] of Object.entries(OWNER)) {
      if (r[key as keyof typeof r] === undefined || owners.includes(s.runtime)) continue;
      const hint = r.runtime === undefined ? `; add runtime: ${owners[0]}` : '';
      problems.push(
        parsed.problemAt([...base, key], `"${key}" does not belong to ${runtimeNote} in services.${s.name} (it is for ${owners.join('/')})${hint}`, 'key'),
      );
    }

    if (s.runtime === 'worker' && r.module === undefined && r.command === undefined) {
      problems.push(parsed.problemAt(base, `services.${s.name}: ${runtimeNote} needs "module" (a .ts or .js file, relative to the config file)`));
    }
    if (s.runtime === 'process' && r.command === undefined) {
      problems.push(parsed.problemAt(base, `services.${s.name}: runtime process needs "command" (a command line or a list of arguments)`));
    }
    if (s.runtime === 'container' && !r.container?.image && !r.container?.dockerfile) {
      const at = r.container ? [...base, 'container'] : base;
      problems.push(parsed.problemAt(at, `services.${s.name}: runtime container needs container.image or container.dockerfile`));
    }
    if (typeof r.command === 'string') {
      let argv: string[] = [];
      let error: string | undefined;
      try {
        argv = splitCommand(r.command);
      } catch (e) {
        error = (e as Error).message.split(':')[0];
      }
      if (error || argv.length === 0) {
        problems.push(parsed.problemAt([...base, 'command'], `services.${s.name}.command: ${error ?? 'the command is empty'}`, 'value'));
      }
    }
  }
  return problems;
}
