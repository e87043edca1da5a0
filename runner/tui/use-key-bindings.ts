import { useInput, useStdin } from 'ink';
import { useRef, useState } from 'react';
import type { Command, OrchestratorApi } from '../engine/api.ts';
import type { DashboardState } from './dashboard-state.ts';
import { shownInstances } from './lines/instance-filter.ts';
import { scenarioTraceRows } from './lines/scenario-lines.ts';
import { activeFilter, initialUi, reduceKey, type UiState } from './ui-state.ts';

export function describeCommand(c: Command): string {
  switch (c.type) {
    case 'toggle-fault':
      return `${c.fault} ${c.instance}`;
    case 'run-scenario':
      return `scenario ${c.name}`;
    case 'shutdown':
      return 'shutdown';
    case 'scale':
      return `scale ${c.service} ${c.replicas}`;
    case 'registry-fault':
      return `registry ${c.fault} ${c.on ? 'on' : 'off'} ${(c.members ?? []).join(',')}`;
    case 'set-weight':
      return `weight ${c.instance} ${c.weight}`;
    case 'route-version':
      return `route ${c.service} ${c.version ?? 'all versions'}`;
    default:
      return `${c.type} ${c.instance}`;
  }
}

/** Commands after which the instance is on its way back: the status line follows it until it is ready. */
const FOLLOWED = new Set<Command['type']>(['restart', 'start', 'kill']);

/** The selection falls back to the first instance listed (the filter applied) so keys work from the first frame. */
export function effectiveUi(ui: UiState, state: DashboardState): UiState {
  const ordered = shownInstances(state.snapshot.instances, activeFilter(ui));
  if (ordered.some((v) => v.instance === ui.selected)) return ui;
  return { ...ui, selected: ordered[0]?.instance };
}

/**
 * Keys -> UiState + Commands. Commands go to api.command() without awaiting in the input handler; their
 * CommandResult.message (or the error) lands in the status line.
 */
export function useKeyBindings(o: {
  api: OrchestratorApi;
  state: DashboardState;
  scenarios: readonly string[];
  onQuit: () => void;
  /**
   * Read at each key, set by the frame after its layout: lines the logs pane shows (their PgUp/PgDn step),
   * and instances the services pane shows at once when it cannot show them all (PgUp/PgDn then page it).
   */
  pages?: { readonly current: { log?: number; list?: number } };
}): UiState {
  // The ref is the source of truth: several keys can arrive in one chunk, before React re-renders.
  const ref = useRef<UiState>(initialUi);
  const [, setUi] = useState<UiState>(initialUi);
  const { isRawModeSupported } = useStdin();
  const update = (next: UiState) => {
    ref.current = next;
    setUi(next);
  };

  const run = (command: Command) => {
    const what = describeCommand(command);
    update({ ...ref.current, status: { text: `${what}…`, tone: 'info' } });
    o.api.command(command).then(
      (r) => {
        const text = r.message || `${what}: ${r.ok ? 'ok' : 'failed'}`;
        const follow = r.ok && FOLLOWED.has(command.type) && 'instance' in command ? command.instance : undefined;
        update({ ...ref.current, status: { text, tone: r.ok ? 'ok' : 'bad', ...(follow ? { follow } : {}) } });
      },
      (e: unknown) => update({ ...ref.current, status: { text: `${what} failed: ${e instanceof Error ? e.message : String(e)}`, tone: 'bad' } }),
    );
  };

  useInput(
    (input, key) => {
      const ui = effectiveUi(ref.current, o.state);
      const ordered = shownInstances(o.state.snapshot.instances, activeFilter(ui));
      const scenarioTraces = scenarioTraceRows(o.state.snapshot.scenario).length;
      const out = reduceKey(ui, input, key, { ordered, scenarios: o.scenarios, logPage: o.pages?.current.log, listPage: o.pages?.current.list, scenarioTraces });
      update(out.ui);
      if (out.quit) o.onQuit();
      else if (out.command) run(out.command);
    },
    { isActive: isRawModeSupported },
  );
  return effectiveUi(ref.current, o.state);
}
