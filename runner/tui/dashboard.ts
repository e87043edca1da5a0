import { Box } from 'ink';
import React, { useEffect, useRef } from 'react';
import type { OrchestratorApi } from '../engine/api.ts';
import { instancePaneHeight, scenarioPaneHeight, sidePaneHeight } from './build-frame.ts';
import { planLayout } from './layout-plan.ts';
import { Header } from './panes/header.ts';
import { HelpOverlay } from './panes/help-overlay.ts';
import { InstancesPane } from './panes/instances-pane.ts';
import { LogsPane } from './panes/logs-pane.ts';
import { RegistryPane } from './panes/registry-pane.ts';
import { ScenarioPane } from './panes/scenario-pane.ts';
import { ScenarioPicker } from './panes/scenario-picker.ts';
import { StatusLine } from './panes/status-line.ts';
import { TracesPane } from './panes/traces-pane.ts';
import { TrafficSparkline } from './panes/traffic-sparkline.ts';
import { useKeyBindings } from './use-key-bindings.ts';
import { activeFilter } from './ui-state.ts';
import { useTerminalSize, type TerminalSize } from './use-terminal-size.ts';
import { useThrottledState } from './use-throttled-state.ts';

const h = React.createElement;

export interface DashboardProps {
  api: OrchestratorApi;
  /** Names offered by `c`; empty = a text prompt instead. */
  scenarios?: readonly string[];
  noColor?: boolean;
  /** Fixed size (tests, benches); otherwise the terminal's, following resizes. */
  size?: TerminalSize;
  /** q or Ctrl-C. */
  onQuit: () => void;
  /** The engine reported shutdown. */
  onShutdown?: () => void;
  /** Minimum ms between event-driven frames (default 100). */
  frameMs?: number;
  now?: () => number;
}

/**
 *   header
 *   services (by tier)                         <- selection, keys act on it
 *   registry | gateway traffic
 *   scenario timeline (while one runs)
 *   logs  /  help  /  scenario picker   (t: recent traces, e: the scenario's step traces; a waterfall,
 *                                        over all of these)
 *   status line
 */
export function Dashboard(p: DashboardProps) {
  const noColor = p.noColor ?? false;
  const scenarios = p.scenarios ?? [];
  const state = useThrottledState(p.api, { frameMs: p.frameMs });
  const size = useTerminalSize(p.size);
  const s = state.snapshot;
  const compact = size.columns < 80 || size.rows < 24;
  const pages = useRef<{ log?: number; list?: number }>({});
  const ui = useKeyBindings({ api: p.api, state, scenarios, onQuit: p.onQuit, pages });
  const filter = activeFilter(ui);
  const natural = instancePaneHeight(s, compact, filter) + (compact ? 0 : 1); // + the selection's detail line
  const plan = planLayout(size, {
    instances: natural,
    scenario: scenarioPaneHeight(s),
    side: sidePaneHeight(s),
    logs: true,
    status: true,
  });
  // A list longer than its pane pages with PgUp/PgDn: by the rows under its title, column header and
  // detail line, less the `… more` line.
  pages.current = { log: Math.max(1, plan.logs - 2), list: natural > plan.instances ? Math.max(1, plan.instances - (compact ? 1 : 4)) : undefined };
  const { onShutdown } = p;
  useEffect(() => {
    if (state.shutdown) onShutdown?.();
  }, [state.shutdown, onShutdown]);

  const now = (p.now ?? Date.now)();
  const w = plan.width;
  const left = Math.floor((w - 1) / 2);
  const side = plan.compact
    ? h(
        Box,
        { flexDirection: 'column' },
        h(RegistryPane, { registry: s.registry, width: w, compact: true, noColor }),
        h(TrafficSparkline, { gatewayRps: s.gatewayRps, width: w, compact: true, noColor }),
      )
    : h(
        Box,
        { flexDirection: 'row', height: plan.side, overflow: 'hidden' },
        h(RegistryPane, { registry: s.registry, width: left, compact: false, noColor }),
        h(Box, { width: 1 }),
        h(TrafficSparkline, { gatewayRps: s.gatewayRps, width: w - left - 1, compact: false, noColor }),
      );
  const header = h(Header, { snapshot: s, width: w, now, compact: plan.compact, shutdown: state.shutdown, noColor });
  const status = h(StatusLine, { ui, width: w, noColor, instances: s.instances });
  if (ui.mode === 'help') {
    // The help takes every pane between header and status line, so all keys fit even at 80x24.
    const height = plan.instances + plan.side + plan.scenario + plan.logs;
    return h(Box, { flexDirection: 'column', width: w }, header, h(HelpOverlay, { width: w, height, noColor }), status);
  }
  if (ui.traces) {
    // Recent traces and the selected one's waterfall over every pane between header and status line.
    const height = plan.instances + plan.side + plan.scenario + plan.logs;
    return h(Box, { flexDirection: 'column', width: w }, header, h(TracesPane, { api: p.api, source: ui.traceSource, scenario: s.scenario, index: ui.traceIndex, width: w, height, noColor }), status);
  }
  if (ui.logFull && ui.selected) {
    // One instance's log over every pane between header and status line; long lines wrap.
    const height = plan.instances + plan.side + plan.scenario + plan.logs;
    const log = h(LogsPane, { state, instance: ui.selected, filter, skip: ui.logSkip, width: w, height, compact: false, noColor });
    return h(Box, { flexDirection: 'column', width: w }, header, log, status);
  }
  const lower =
    ui.mode === 'pick-scenario'
      ? h(ScenarioPicker, { scenarios, index: ui.pickIndex, width: w, height: plan.logs, noColor })
      : h(LogsPane, {
          state,
          instance: ui.logScope === 'selected' ? ui.selected : undefined,
          filter,
          skip: ui.logSkip,
          width: w,
          height: plan.logs,
          compact: plan.compact,
          noColor,
        });
  return h(
    Box,
    { flexDirection: 'column', width: w },
    header,
    h(InstancesPane, { instances: s.instances, selected: ui.selected, filter, width: w, height: plan.instances, compact: plan.compact, noColor }),
    side,
    h(ScenarioPane, { scenario: s.scenario, width: w, height: plan.scenario, now, noColor }),
    lower,
    status,
  );
}
