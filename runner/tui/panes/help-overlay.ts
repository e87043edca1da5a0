import React from 'react';
import { fitLine, seg, titleLine, type Line } from '../lines/line.ts';
import { LinesView } from './lines-view.ts';

export const KeyHelp: readonly [string, string][] = [
  ['↑ ↓ ← → tab', 'select an instance'],
  ['q  ctrl-c', 'quit'],
  ['k', 'kill the selected instance'],
  ['r', 'restart it'],
  ['s', 'stop it (start it when stopped, crashed or failed)'],
  ['p', 'toggle a network partition'],
  ['h', 'toggle heartbeat loss'],
  ['l', 'toggle added latency'],
  ['c', 'run a scenario'],
  ['a', 'logs: all instances / the selected one'],
  ['f', 'the selected instance\'s log full screen (Esc or f back)'],
  ['/', 'filter instances (name, service, state, fault) and logs'],
  ['t', 'recent traces and a waterfall (↑↓ select, esc back)'],
  ['e', 'the scenario\'s step traces, why each failed, and a waterfall'],
  ['pgup pgdn home', 'a long services list: page it (end: the last)'],
  ['pgup pgdn end', 'otherwise scroll the logs back / forward / follow'],
  ['?', 'this help (any key closes)'],
];

export function helpLines(width: number, height: number): Line[] {
  const lines = [titleLine('Keys', width), ...KeyHelp.map(([k, what]) => fitLine([seg(`  ${k.padEnd(14)}`, 'accent'), seg(what)], width))];
  return lines.slice(0, Math.max(1, height));
}

/** Key reference shown in place of the lower panes. */
export function HelpOverlay(p: { width: number; height: number; noColor: boolean }) {
  return React.createElement(LinesView, { lines: helpLines(p.width, p.height), noColor: p.noColor });
}
