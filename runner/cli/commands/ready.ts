/**
 * `micro-dev ready`: whether every service of the running `up` is ready; if not, which are not and why
 * (state, reason, last output lines). Exit 0 all ready, 1 some are not.
 */
import { parseCli, configPath, requireRunning } from '../cli-args.ts';
import { controlRequest } from '../../control/control-client.ts';
import type { InstanceView, Snapshot } from '../../engine/api.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseCli('ready', args, {});
  const info = await requireRunning(configPath(values.config));
  const { instances } = await controlRequest<Snapshot>(info, '/api/snapshot');
  const services = [...new Set(instances.map((i) => i.service))].sort();
  // Stopped on request (stop, or not asked for by `up SERVICE...`) is not expected to be ready.
  const stopped = instances.filter((i) => i.state === 'stopped').map((i) => i.instance);
  const notReady = services.filter((s) => instances.some((i) => i.service === s && i.state !== 'ready' && i.state !== 'stopped'));
  const aside = stopped.length ? ` (stopped: ${stopped.join(', ')})` : '';
  if (notReady.length === 0) {
    process.stdout.write(`ready: ${services.length} service(s), ${instances.length - stopped.length} instance(s)${aside}\n`);
    return 0;
  }
  const lines = [`not ready: ${notReady.join(', ')} (${services.length - notReady.length} of ${services.length} services ready)`];
  const width = Math.max(...instances.map((i) => i.instance.length));
  for (const i of instances.filter((v) => v.state !== 'ready' && v.state !== 'stopped')) {
    lines.push(`  ${i.instance.padEnd(width)}  ${i.state.padEnd(9)} ${reason(i)}`);
    for (const line of i.lastLines ?? []) lines.push(`  ${' '.repeat(width)}  | ${line}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 1;
}

function reason(i: InstanceView): string {
  if (i.state === 'pending') return i.waitingFor?.length ? `waiting for ${i.waitingFor.join(', ')}` : 'not started';
  const restarts = i.restarts > 0 ? ` (${i.restarts} restart${i.restarts === 1 ? '' : 's'})` : '';
  return `${i.lastError ?? ''}${restarts}`.trim();
}
