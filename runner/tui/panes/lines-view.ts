import { Box, Text } from 'ink';
import React from 'react';
import type { Line, Tone } from '../lines/line.ts';

const h = React.createElement;

const STYLE: Record<Tone, Record<string, unknown>> = {
  ok: { color: 'green' },
  warn: { color: 'yellow' },
  bad: { color: 'red' },
  dim: { color: 'gray' },
  accent: { color: 'cyan' },
  info: { color: 'blue' },
  title: { bold: true },
  selected: { inverse: true, bold: true },
};

/**
 * Renders prepared lines. With noColor no style prop is set at all, so the output holds no escape codes
 * (the words carry the meaning). Every line is one row: ink truncates instead of wrapping.
 */
export function LinesView(props: { lines: readonly Line[]; noColor?: boolean; width?: number }) {
  return h(
    Box,
    { flexDirection: 'column', width: props.width, flexShrink: 0 },
    ...props.lines.map((line, i) =>
      h(
        Text,
        { key: i, wrap: 'truncate-end' },
        ...(line.length === 0
          ? [' ']
          : line.map((s, j) => (props.noColor || !s.tone ? s.text : h(Text, { key: j, ...STYLE[s.tone] }, s.text)))),
      ),
    ),
  );
}
