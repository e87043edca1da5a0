import type { Snapshot } from '../engine/api.ts';
import { buildFrame } from './build-frame.ts';
import { lineText } from './lines/line.ts';

/**
 * The dashboard's panes as plain text (no ANSI, no logs, no selection): for `micro-dev status` and the
 * README capture. Pure: same snapshot, size and now give the same string. Lines end without trailing spaces.
 */
export function renderSnapshotText(snapshot: Snapshot, size: { columns: number; rows: number; now?: number }): string {
  const frame = buildFrame(snapshot, {
    columns: size.columns,
    rows: size.rows,
    now: size.now ?? Date.now(),
  });
  return frame
    .flat()
    .map((l) => lineText(l).trimEnd())
    .join('\n');
}
