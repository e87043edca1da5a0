/**
 * How many lines each pane gets. The whole frame stays within rows - 1 lines so ink never falls back to
 * clearing the screen on every frame; below 80x24 the layout is compact (one-line header, registry and
 * traffic) instead of a broken one.
 */
export interface LayoutPlan {
  compact: boolean;
  width: number;
  header: number;
  instances: number;
  /** Registry + traffic block (side by side in the full layout). */
  side: number;
  scenario: number;
  logs: number;
  status: number;
}

export const MinFullColumns = 80;
export const MinFullRows = 24;

export function planLayout(
  size: { columns: number; rows: number },
  want: { instances: number; scenario: number; logs: boolean; status: boolean; side?: number },
): LayoutPlan {
  const width = Math.max(20, size.columns);
  const compact = size.columns < MinFullColumns || size.rows < MinFullRows;
  const header = compact ? 1 : 2;
  // Registry | traffic: 4 lines, more for a registry's lock holders and members (at most a third of the rows).
  const side = compact ? 2 : Math.max(4, Math.min(want.side ?? 4, Math.floor(size.rows / 3)));
  const status = want.status ? 1 : 0;
  let room = Math.max(0, size.rows - 1 - header - side - status);
  const logsMin = want.logs ? (compact ? 2 : 4) : 0;
  const scenario = Math.min(want.scenario, compact ? 3 : 7, Math.max(0, room - logsMin - 2));
  room -= scenario;
  const instanceCap = want.logs ? Math.max(2, room - logsMin) : room;
  const instances = Math.max(0, Math.min(want.instances, instanceCap, room));
  room -= instances;
  return { compact, width, header, instances, side, scenario, logs: want.logs ? room : 0, status };
}
