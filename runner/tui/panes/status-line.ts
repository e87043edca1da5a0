import React from 'react';
import type { InstanceView } from '../../engine/api.ts';
import { fitLine, lineWidth, seg, type Line, type Segment } from '../lines/line.ts';
import { stateTone } from '../lines/state-tone.ts';
import type { UiState } from '../ui-state.ts';
import { LinesView } from './lines-view.ts';

/**
 * A command's reply, followed live when it names an instance that is on its way somewhere (restart,
 * start, kill): once the instance is ready again the line says so instead of `restarting…` forever.
 */
function followed(status: NonNullable<UiState['status']>, instances: readonly InstanceView[]): Segment[] {
  const v = status.follow ? instances.find((i) => i.instance === status.follow) : undefined;
  if (!v || v.state === 'ready') return v ? [seg(`${v.instance} ready`, 'ok')] : [seg(status.text, status.tone)];
  return [seg(status.text, status.tone), seg(` (now ${v.state})`, stateTone(v.state))];
}

/**
 * A prompt and what is being typed into it. A draft longer than the room shows its end, behind `…`, as a
 * shell's line editor does: the characters just typed and the cursor stay in sight.
 */
function promptLine(label: string, draft: string, room: number): Line {
  const typed = draft + '_';
  const left = room - label.length;
  if (typed.length <= left || left < 2) return [seg(label, 'accent'), seg(typed)];
  return [seg(label, 'accent'), seg('…', 'dim'), seg(typed.slice(typed.length - (left - 1)))];
}

export function statusLine(ui: UiState, width: number, instances: readonly InstanceView[] = []): Line {
  const hint = seg(ui.mode === 'normal' ? '  ? help  q quit' : '', 'dim');
  let left: Line;
  if (ui.mode === 'filter') left = promptLine('/', ui.draft, width);
  else if (ui.mode === 'prompt-scenario') left = promptLine('scenario name: ', ui.draft, width);
  else if (ui.mode === 'help') left = [seg('any key closes the help', 'dim')];
  else if (ui.status) left = followed(ui.status, instances);
  else left = [seg('ready for keys', 'dim')];
  const room = width - hint.text.length;
  const fitted = fitLine(left, Math.max(1, room));
  const gap = Math.max(0, width - lineWidth(fitted) - hint.text.length);
  return fitLine([...fitted, seg(' '.repeat(gap)), hint], width);
}

/** Last command result, or the prompt being typed. */
export function StatusLine(p: { ui: UiState; width: number; noColor: boolean; instances: readonly InstanceView[] }) {
  return React.createElement(LinesView, { lines: [statusLine(p.ui, p.width, p.instances)], noColor: p.noColor });
}
