import { parseCli, configPath, requireRunning } from '../cli-args.ts';
import { controlRequest } from '../../control/control-client.ts';
import type { Snapshot } from '../../engine/api.ts';
import { formatStatus } from '../format-status.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseCli('status', args, { json: { type: 'boolean' } });
  const info = await requireRunning(configPath(values.config));
  const snapshot = await controlRequest<Snapshot>(info, '/api/snapshot');
  process.stdout.write(values.json ? JSON.stringify(snapshot, null, 2) + '\n' : formatStatus(snapshot, info.pid));
  return 0;
}
