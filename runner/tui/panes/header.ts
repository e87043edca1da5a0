import React from 'react';
import type { Snapshot } from '../../engine/api.ts';
import { headerLines } from '../lines/header-lines.ts';
import { LinesView } from './lines-view.ts';

/** Topology, readiness, uptime, registry model, gateway URL. */
export function Header(p: { snapshot: Snapshot; width: number; now: number; compact: boolean; shutdown: boolean; noColor: boolean }) {
  return React.createElement(LinesView, {
    lines: headerLines(p.snapshot, { width: p.width, now: p.now, compact: p.compact, shutdown: p.shutdown }),
    noColor: p.noColor,
  });
}
