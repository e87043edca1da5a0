import type { Snapshot } from '../engine/api.ts';
import { planLayout } from './layout-plan.ts';
import { headerLines } from './lines/header-lines.ts';
import { instanceLines, instanceRowCount } from './lines/instance-lines.ts';
import type { Line } from './lines/line.ts';
import { registryLines } from './lines/registry-lines.ts';
import { scenarioLines } from './lines/scenario-lines.ts';
import { sideBySide } from './lines/line.ts';
import { trafficLines } from './lines/traffic-lines.ts';

/** Natural height of the services pane: title, column header, one heading per tier, one line per instance. */
export function instancePaneHeight(s: Snapshot, compact: boolean, filter?: string): number {
  const tiers = new Set(s.instances.map((v) => v.tier)).size;
  const rows = instanceRowCount(s.instances, filter);
  return compact ? Math.max(1, rows) : 2 + tiers + Math.max(1, rows);
}

/** Natural height of the registry | traffic block: the registry pane's lines (locks, members), 4 at least. */
export function sidePaneHeight(s: Snapshot): number {
  const locks = s.registry.locks?.length ?? 0;
  return 4 + Math.min(locks, 3) + (locks > 3 ? 1 : 0) + (s.registry.members?.length ?? 0);
}

export function scenarioPaneHeight(s: Snapshot): number {
  return s.scenario ? 1 + s.scenario.steps.length + s.scenario.expectations.length : 0;
}

/** Registry and traffic: side by side in the full layout, one line each when compact. */
export function sideLines(s: Snapshot, width: number, compact: boolean): Line[] {
  if (compact) return [...registryLines(s.registry, { width, compact }), ...trafficLines(s.gatewayRps, { width, compact })];
  const left = Math.floor((width - 1) / 2);
  return sideBySide(registryLines(s.registry, { width: left }), trafficLines(s.gatewayRps, { width: width - left - 1 }), left, width);
}

/** Every pane of a snapshot (no logs), in order, fitted to the size. Used for plain-text output. */
export function buildFrame(s: Snapshot, o: { columns: number; rows: number; now: number }): Line[][] {
  const compact = o.columns < 80 || o.rows < 24;
  const plan = planLayout(o, {
    instances: instancePaneHeight(s, compact),
    scenario: scenarioPaneHeight(s),
    side: sidePaneHeight(s),
    logs: false,
    status: false,
  });
  const w = plan.width;
  const blocks: Line[][] = [
    headerLines(s, { width: w, now: o.now, compact: plan.compact }),
    instanceLines(s.instances, { width: w, maxLines: plan.instances, compact: plan.compact }).slice(0, plan.instances),
    sideLines(s, w, plan.compact),
  ];
  if (s.scenario && plan.scenario > 0) {
    blocks.push(scenarioLines(s.scenario, { width: w, now: o.now, maxLines: plan.scenario }));
  }
  return blocks;
}
