import React from 'react';
import { trafficLines } from '../lines/traffic-lines.ts';
import { LinesView } from './lines-view.ts';

/** Gateway req/s over the last minute as a sparkline. */
export function TrafficSparkline(p: { gatewayRps: readonly number[]; width: number; compact: boolean; noColor: boolean }) {
  return React.createElement(LinesView, {
    lines: trafficLines(p.gatewayRps, { width: p.width, compact: p.compact }),
    noColor: p.noColor,
    width: p.width,
  });
}
