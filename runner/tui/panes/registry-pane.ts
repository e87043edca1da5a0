import React from 'react';
import type { RegistryView } from '../../engine/api.ts';
import { registryLines } from '../lines/registry-lines.ts';
import { LinesView } from './lines-view.ts';

/** Passing / critical, renew rate against the threshold, self-preservation. */
export function RegistryPane(p: { registry: RegistryView; width: number; compact: boolean; noColor: boolean }) {
  return React.createElement(LinesView, {
    lines: registryLines(p.registry, { width: p.width, compact: p.compact }),
    noColor: p.noColor,
    width: p.width,
  });
}
