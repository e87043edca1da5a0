import React from 'react';
import type { InstanceView } from '../../engine/api.ts';
import { detailLine } from '../lines/detail-line.ts';
import { instanceLines } from '../lines/instance-lines.ts';
import { LinesView } from './lines-view.ts';

/**
 * Services grouped by tier; the selected instance is marked with '>' (and inverse when coloured). In the
 * full layout the last line details the selected instance.
 */
export function InstancesPane(p: {
  instances: readonly InstanceView[];
  selected?: string;
  /** The `/` filter: only matching instances are listed. */
  filter?: string;
  width: number;
  height: number;
  compact: boolean;
  noColor: boolean;
}) {
  if (p.height <= 0) return null;
  const detail = !p.compact && p.height >= 4;
  const room = detail ? p.height - 1 : p.height;
  const lines = instanceLines(p.instances, { width: p.width, maxLines: room, selected: p.selected, compact: p.compact, ...(p.filter ? { filter: p.filter } : {}) }).slice(0, room);
  if (detail) lines.push(detailLine(p.instances.find((v) => v.instance === p.selected), p.width));
  return React.createElement(LinesView, { lines, noColor: p.noColor });
}
