import React from 'react';
import type { ScenarioView } from '../../engine/api.ts';
import { scenarioLines } from '../lines/scenario-lines.ts';
import { LinesView } from './lines-view.ts';

/** The running scenario: steps (faults injected) and expectations turning PASS / FAIL live. */
export function ScenarioPane(p: { scenario?: ScenarioView; width: number; height: number; now: number; noColor: boolean }) {
  if (!p.scenario || p.height <= 0) return null;
  return React.createElement(LinesView, {
    lines: scenarioLines(p.scenario, { width: p.width, now: p.now, maxLines: p.height, keys: true }),
    noColor: p.noColor,
  });
}
