import React from 'react';
import { fitLine, lineWidth, seg, type Line } from '../lines/line.ts';
import type { UiState } from '../ui-state.ts';
import { LinesView } from './lines-view.ts';

export function statusLine(ui: UiState, width: number): Line {
  const hint = seg(ui.mode === 'normal' ? '  ? help  q quit' : '', 'dim');
  let left: Line;
  if (ui.mode === 'filter') left = [seg('/', 'accent'), seg(ui.draft + '_')];
  else if (ui.mode === 'prompt-scenario') left = [seg('scenario name: ', 'accent'), seg(ui.draft + '_')];
  else if (ui.mode === 'help') left = [seg('any key closes the help', 'dim')];
  else if (ui.status) left = [seg(ui.status.text, ui.status.tone)];
  else left = [seg('ready for keys', 'dim')];
  const room = width - hint.text.length;
  const fitted = fitLine(left, Math.max(1, room));
  const gap = Math.max(0, width - lineWidth(fitted) - hint.text.length);
  return fitLine([...fitted, seg(' '.repeat(gap)), hint], width);
}

/** Last command result, or the prompt being typed. */
export function StatusLine(p: { ui: UiState; width: number; noColor: boolean }) {
  return React.createElement(LinesView, { lines: [statusLine(p.ui, p.width)], noColor: p.noColor });
}
