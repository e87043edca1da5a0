/**
 * What the CLI's lifecycle, fault and scale commands share: the running `up` (found through the run file),
 * a check of the target name against its snapshot (did-you-mean, exit 2), and one command through the
 * control API (its answer printed; a refusal is exit 1).
 */
import { configPath, requireRunning } from './cli-args.ts';
import { controlRequest } from '../control/control-client.ts';
import type { RunInfo } from '../control/run-file.ts';
import type { Command, CommandResult, Snapshot } from '../engine/api.ts';
import { didYouMean } from '../config/did-you-mean.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';

export interface RunningUp {
  info: RunInfo;
  snapshot: Snapshot;
}

export async function connect(config: unknown): Promise<RunningUp> {
  const info = await requireRunning(configPath(config));
  return { info, snapshot: await controlRequest<Snapshot>(info, '/api/snapshot') };
}

/** Service names and instance names of the running topology. */
export function targetNames(snapshot: Snapshot): { services: string[]; instances: string[] } {
  return {
    services: [...new Set(snapshot.instances.map((i) => i.service))].sort(),
    instances: snapshot.instances.map((i) => i.instance),
  };
}

/** Throws BAD_ARGUMENTS naming the closest name when `target` is neither a service nor an instance (or not of `kinds`). */
export function checkTarget(command: string, target: string, snapshot: Snapshot, kinds: 'service' | 'service or instance' = 'service or instance'): void {
  const { services, instances } = targetNames(snapshot);
  const names = kinds === 'service' ? services : [...services, ...instances];
  if (names.includes(target)) return;
  const guess = didYouMean(target, names);
  const what = kinds === 'service' && instances.includes(target) ? `"${target}" is an instance; ${command} takes a service` : `no ${kinds} named "${target}"`;
  throw new MicroDevError('BAD_ARGUMENTS', `${command}: ${what}${guess ? ` (did you mean "${guess}"?)` : ''}`, {
    hints: [`services: ${services.join(', ')}`],
  });
}

/** Sends the command; prints its message on success, throws COMMAND_FAILED with it otherwise. */
export async function send(up: RunningUp, command: Command): Promise<number> {
  const result = await controlRequest<CommandResult>(up.info, '/api/command', { method: 'POST', body: JSON.stringify(command) });
  if (!result.ok) throw new MicroDevError('COMMAND_FAILED', result.message);
  process.stdout.write(`${result.message}\n`);
  return 0;
}
