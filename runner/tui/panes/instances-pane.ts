import React from 'react';
import type { InstanceView } from '../../engine/api.ts';
import { instanceLines } from '../lines/instance-lines.ts';
import { LinesView } from './lines-view.ts';

/** Services grouped by tier; the selected instance is marked with '>' (and inverse when coloured). */
export function InstancesPane(p: {
  instances: readonly InstanceView[];
  selected?: string;
  width: number;
  height: number;
  compact: boolean;
  noColor: boolean;
}) {
  if (p.height <= 0) return null;
  const lines = instanceLines(p.instances, { width: p.width, maxLines: p.height, selected: p.selected, compact: p.compact });
  return React.createElement(LinesView, { lines: lines.slice(0, p.height), noColor: p.noColor });
}
