import { Box, Text } from 'ink';
import React from 'react';
import type { Line, Tone } from '../lines/line.ts';

const h = React.createElement;

/** SGR open/close per tone. Closing codes are the specific resets so nested styles do not leak. */
const SGR: Record<Tone, [string, string]> = {
  ok: ['\x1b[32m', '\x1b[39m'],
  warn: ['\x1b[33m', '\x1b[39m'],
  bad: ['\x1b[31m', '\x1b[39m'],
  dim: ['\x1b[90m', '\x1b[39m'],
  accent: ['\x1b[36m', '\x1b[39m'],
  info: ['\x1b[34m', '\x1b[39m'],
  title: ['\x1b[1m', '\x1b[22m'],
  selected: ['\x1b[1m\x1b[7m', '\x1b[27m\x1b[22m'],
};

/** A line as one string; styled with SGR codes unless noColor (then it is plain text). */
export function styleLine(line: Line, noColor: boolean): string {
  let out = '';
  for (const s of line) {
    if (noColor || !s.tone || s.text === '') out += s.text;
    else out += SGR[s.tone][0] + s.text + SGR[s.tone][1];
  }
  return out === '' ? ' ' : out;
}

/**
 * Renders prepared lines, one ink Text per line (the styling is already in the string: far fewer nodes
 * for ink to lay out each frame than one Text per segment). With noColor the output holds no escape
 * codes; the words carry the meaning. Every line is one row: ink truncates instead of wrapping.
 */
export function LinesView(props: { lines: readonly Line[]; noColor?: boolean; width?: number }) {
  const noColor = props.noColor ?? false;
  return h(
    Box,
    { flexDirection: 'column', width: props.width, flexShrink: 0 },
    ...props.lines.map((line, i) => h(Text, { key: i, wrap: 'truncate-end' }, styleLine(line, noColor))),
  );
}
