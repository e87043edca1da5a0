import React from 'react';
import { fitLine, seg, titleLine, type Line } from '../lines/line.ts';
import { LinesView } from './lines-view.ts';

/** The `c` list: scenarios to run, the highlighted one marked with '>'. */
export function ScenarioPicker(p: { scenarios: readonly string[]; index: number; width: number; height: number; noColor: boolean }) {
  const room = Math.max(1, p.height - 1);
  const start = Math.max(0, Math.min(p.index - Math.floor(room / 2), p.scenarios.length - room));
  const lines: Line[] = [
    titleLine('Run scenario', p.width, [seg(' enter runs, esc cancels', 'dim')]),
    ...p.scenarios
      .slice(start, start + room)
      .map((name, i) => fitLine(start + i === p.index ? [seg('> ', 'selected'), seg(name, 'selected')] : [seg('  ' + name)], p.width)),
  ];
  return React.createElement(LinesView, { lines, noColor: p.noColor });
}
