import { parseCli, configPath, requireRunning } from '../cli-args.ts';
import { controlRequest } from '../../control/control-client.ts';
import type { Snapshot } from '../../engine/api.ts';
import { renderSnapshotText } from '../../tui/render-snapshot-text.ts';

/** `micro-dev status`: the dashboard's picture as plain text (no colours), or the snapshot as JSON. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCli('status', args, { json: { type: 'boolean' } });
  const info = await requireRunning(configPath(values.config));
  const snapshot = await controlRequest<Snapshot>(info, '/api/snapshot');
  if (values.json) {
    process.stdout.write(JSON.stringify(snapshot, null, 2) + '\n');
  } else {
    const columns = Math.max(80, process.stdout.columns ?? 100);
    process.stdout.write(`${renderSnapshotText(snapshot, { columns, rows: 40 })}\n(pid ${info.pid}; control API ${info.controlUrl})\n`);
  }
  return 0;
}
