/**
 * `micro-dev fault add|rm TARGET FAULT` and `fault list`: the dashboard's fault keys (p partition,
 * h heartbeat-loss, l latency) from the shell. TARGET is an instance, or a service (each of its instances).
 */
import { parseCli } from '../cli-args.ts';
import { checkTarget, connect, send } from '../engine-command.ts';
import { InstanceFaultKinds, type InstanceFaultKind } from '../../engine/api.ts';
import { didYouMean } from '../../config/did-you-mean.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

const usage = 'fault add|rm SERVICE|INSTANCE FAULT, or fault list (FAULT: ' + InstanceFaultKinds.join(', ') + ')';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('fault', args, {});
  const [action, target, fault, ...extra] = positionals;
  if (action === 'list' && target === undefined) return list(values.config);
  if (action !== 'add' && action !== 'rm') {
    const guess = action ? didYouMean(action, ['add', 'rm', 'list']) : undefined;
    throw new MicroDevError('BAD_ARGUMENTS', `${action ? `unknown fault action "${action}"${guess ? ` (did you mean "${guess}"?)` : ''}; ` : ''}usage: micro-dev ${usage}`);
  }
  if (!target || !fault || extra.length > 0) throw new MicroDevError('BAD_ARGUMENTS', `usage: micro-dev ${usage}`);
  if (!(InstanceFaultKinds as readonly string[]).includes(fault)) {
    const guess = didYouMean(fault, InstanceFaultKinds);
    throw new MicroDevError('BAD_ARGUMENTS', `fault ${action}: unknown fault "${fault}"${guess ? ` (did you mean "${guess}"?)` : ''}; faults: ${InstanceFaultKinds.join(', ')}`);
  }
  const up = await connect(values.config);
  checkTarget(`fault ${action}`, target, up.snapshot);
  return send(up, { type: action === 'add' ? 'fault-add' : 'fault-rm', instance: target, fault: fault as InstanceFaultKind });
}

async function list(config: unknown): Promise<number> {
  const { snapshot } = await connect(config);
  const faulty = snapshot.instances.filter((i) => i.faults.length > 0);
  if (faulty.length === 0) {
    process.stdout.write('no faults\n');
    return 0;
  }
  const width = Math.max(...faulty.map((i) => i.instance.length));
  for (const i of faulty) process.stdout.write(`${i.instance.padEnd(width)}  ${i.faults.join(', ')}\n`);
  return 0;
}
