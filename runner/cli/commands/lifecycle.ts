/** `micro-dev restart|stop|start SERVICE|INSTANCE...`: what the dashboard's r / s keys do, from the shell. */
import { parseCli } from '../cli-args.ts';
import { checkTarget, connect, send } from '../engine-command.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

export async function runLifecycle(type: 'restart' | 'stop' | 'start', args: string[]): Promise<number> {
  const { values, positionals } = parseCli(type, args, {});
  if (positionals.length === 0) {
    throw new MicroDevError('BAD_ARGUMENTS', `${type} needs SERVICE or INSTANCE, e.g. micro-dev ${type} greeter-srv (every replica) or greeter-srv-1`);
  }
  const up = await connect(values.config);
  for (const target of positionals) checkTarget(type, target, up.snapshot);
  for (const target of positionals) await send(up, { type, instance: target });
  return 0;
}
