/** `micro-dev scale SERVICE N`: N replicas of SERVICE in the running `up` (more start, the highest stop). */
import { parseCli } from '../cli-args.ts';
import { checkTarget, connect, send } from '../engine-command.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('scale', args, {});
  const [service, count, ...extra] = positionals;
  if (!service || count === undefined || extra.length > 0) {
    throw new MicroDevError('BAD_ARGUMENTS', 'scale needs SERVICE N, e.g. micro-dev scale greeter-srv 3');
  }
  const replicas = Number(count);
  if (!/^\d+$/.test(count) || replicas > 64) {
    throw new MicroDevError('BAD_ARGUMENTS', `scale: N must be a whole number from 0 to 64, got "${count}"`);
  }
  const up = await connect(values.config);
  checkTarget('scale', service, up.snapshot, 'service');
  return send(up, { type: 'scale', service, replicas });
}
