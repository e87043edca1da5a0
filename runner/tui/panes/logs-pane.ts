import React from 'react';
import type { DashboardState } from '../dashboard-state.ts';
import { logLines } from '../lines/log-lines.ts';
import { LinesView } from './lines-view.ts';

/** The newest log lines of all instances or of one, with the `/` filter applied. */
export function LogsPane(p: {
  state: DashboardState;
  instance?: string;
  filter: string;
  skip: number;
  width: number;
  height: number;
  compact: boolean;
  noColor: boolean;
}) {
  if (p.height <= 0) return null;
  const logs = p.state.logs;
  const lines = logLines((i) => logs.at(i), logs.size, {
    width: p.width,
    maxLines: p.height,
    instance: p.instance,
    filter: p.filter || undefined,
    compact: p.compact,
    skip: p.skip,
  });
  return React.createElement(LinesView, { lines, noColor: p.noColor });
}
