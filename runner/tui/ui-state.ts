import type { Command, InstanceView } from '../engine/api.ts';
import type { Tone } from './lines/line.ts';

/**
 * The dashboard's own state (selection, overlays, log filter, status line) and the pure key -> (state,
 * command) reducer behind the key-bindings hook. Keeping it pure lets every binding be tested without a
 * terminal.
 */
export type UiMode = 'normal' | 'help' | 'filter' | 'pick-scenario' | 'prompt-scenario';

/** What the traces view lists: the engine's recent traces (`t`), or the ones the scenario's steps list (`e`). */
export type TraceSource = 'recent' | 'scenario';

export interface UiState {
  /** Selected instance name (stable when instances reorder). */
  selected?: string;
  mode: UiMode;
  /** Applied `/` filter ('' = none): the instances listed (instance-filter.ts) and the log lines shown. */
  filter: string;
  /** Text being typed in the filter or scenario prompt. */
  draft: string;
  pickIndex: number;
  logScope: 'all' | 'selected';
  /** The selected instance's log over the whole screen (f toggles, Esc closes). */
  logFull: boolean;
  /** Log lines scrolled back from the newest (0 = follow new lines). */
  logSkip: number;
  /** The traces view over the whole screen (t / e toggle, Esc closes), its list and the selected trace (0 = first). */
  traces: boolean;
  traceSource: TraceSource;
  traceIndex: number;
  /** `follow`: an instance whose live state the line shows after the reply (restart, start, kill). */
  status?: { text: string; tone: Tone; follow?: string };
}

/** The subset of ink's Key the reducer reads. */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  tab?: boolean;
  shift?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
}

export interface KeyOutcome {
  ui: UiState;
  command?: Command;
  quit?: boolean;
}

export const initialUi: UiState = { mode: 'normal', filter: '', draft: '', pickIndex: 0, logScope: 'all', logFull: false, logSkip: 0, traces: false, traceSource: 'recent', traceIndex: 0 };

const NO_SCENARIO_TRACES = 'no scenario step traces yet: a scenario lists its failed and slowest traces per step when it ends (c runs one)';

/** States in which `s` means start rather than stop. */
const DOWN_STATES = new Set(['stopped', 'crashed', 'failed']);

function move(ui: UiState, ordered: readonly InstanceView[], delta: number): UiState {
  if (ordered.length === 0) return ui;
  const i = ordered.findIndex((v) => v.instance === ui.selected);
  const next = i < 0 ? (delta > 0 ? 0 : ordered.length - 1) : (i + delta + ordered.length) % ordered.length;
  return { ...ui, selected: ordered[next].instance };
}

/** A page (or to an end) through the listed instances; stops at the first and the last, no wrap. */
function page(ui: UiState, ordered: readonly InstanceView[], to: number | 'first' | 'last'): UiState {
  if (ordered.length === 0) return ui;
  const i = Math.max(0, ordered.findIndex((v) => v.instance === ui.selected));
  const next = to === 'first' ? 0 : to === 'last' ? ordered.length - 1 : Math.min(ordered.length - 1, Math.max(0, i + to));
  return { ...ui, selected: ordered[next].instance };
}

/** The filter the panes apply: while it is being typed, the draft (the lists follow each key). */
export function activeFilter(ui: UiState): string {
  return ui.mode === 'filter' ? ui.draft : ui.filter;
}

function editDraft(ui: UiState, input: string, key: KeyInfo): UiState {
  if (key.backspace || key.delete) return { ...ui, draft: ui.draft.slice(0, -1) };
  if (input && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow && !key.tab) {
    return { ...ui, draft: ui.draft + input.replace(/[\r\n]/g, '') };
  }
  return ui;
}

export function reduceKey(
  ui: UiState,
  input: string,
  key: KeyInfo,
  ctx: {
    /** The instances listed, in their order (the filter applied): what the selection walks. */
    ordered: readonly InstanceView[];
    scenarios: readonly string[];
    logPage?: number;
    /**
     * Set when the services list is longer than its pane (a thousand replicas with many not ready, a filter
     * listing hundreds): instances the pane shows at once. PgUp/PgDn/Home/End then move the selection by
     * that much / to the first / the last, the window following it; otherwise they scroll the logs.
     */
    listPage?: number;
    /** How many traces the scenario pane's steps list (what `e` opens). */
    scenarioTraces?: number;
  },
): KeyOutcome {
  if (key.ctrl && input === 'c') return { ui, quit: true };
  switch (ui.mode) {
    case 'help':
      if (input === 'q') return { ui, quit: true };
      return { ui: { ...ui, mode: 'normal' } };
    case 'filter':
      if (key.escape) return { ui: { ...ui, mode: 'normal', draft: '', filter: '' } };
      if (key.return) return { ui: { ...ui, mode: 'normal', filter: ui.draft.trim(), draft: '', logSkip: 0 } };
      return { ui: editDraft(ui, input, key) };
    case 'prompt-scenario': {
      if (key.escape) return { ui: { ...ui, mode: 'normal', draft: '' } };
      if (key.return) {
        const name = ui.draft.trim();
        const next = { ...ui, mode: 'normal' as const, draft: '' };
        return name ? { ui: next, command: { type: 'run-scenario', name } } : { ui: next };
      }
      return { ui: editDraft(ui, input, key) };
    }
    case 'pick-scenario': {
      const n = ctx.scenarios.length;
      if (key.escape) return { ui: { ...ui, mode: 'normal' } };
      if (key.upArrow) return { ui: { ...ui, pickIndex: (ui.pickIndex - 1 + n) % n } };
      if (key.downArrow || key.tab) return { ui: { ...ui, pickIndex: (ui.pickIndex + 1) % n } };
      if (key.return) {
        const name = ctx.scenarios[ui.pickIndex];
        return { ui: { ...ui, mode: 'normal' }, command: { type: 'run-scenario', name } };
      }
      return { ui };
    }
    case 'normal':
      break;
  }
  if (ui.traces) {
    // the traces view: arrows pick a trace; t or Esc go back; q still quits
    if (key.upArrow || key.leftArrow) return { ui: { ...ui, traceIndex: Math.max(0, ui.traceIndex - 1) } };
    const last = ui.traceSource === 'scenario' ? Math.max(0, (ctx.scenarioTraces ?? 1) - 1) : Infinity;
    if (key.downArrow || key.rightArrow || key.tab) return { ui: { ...ui, traceIndex: Math.min(last, ui.traceIndex + 1) } };
    if (key.pageUp) return { ui: { ...ui, traceIndex: Math.max(0, ui.traceIndex - 10) } };
    if (key.pageDown) return { ui: { ...ui, traceIndex: Math.min(last, ui.traceIndex + 10) } };
    if (key.escape) return { ui: { ...ui, traces: false } };
    // the key of the list shown closes the view; the other one switches to its list
    if (input === 't') return { ui: ui.traceSource === 'recent' ? { ...ui, traces: false } : { ...ui, traceSource: 'recent', traceIndex: 0 } };
    if (input === 'e') {
      if (ui.traceSource === 'scenario') return { ui: { ...ui, traces: false } };
      if (!ctx.scenarioTraces) return { ui: { ...ui, status: { text: NO_SCENARIO_TRACES, tone: 'warn' } } };
      return { ui: { ...ui, traceSource: 'scenario', traceIndex: 0 } };
    }
    if (input === 'q') return { ui, quit: true };
    if (input === '?') return { ui: { ...ui, mode: 'help' } };
    return { ui };
  }
  if (ctx.listPage !== undefined && !ui.logFull) {
    const n = Math.max(1, ctx.listPage);
    if (key.pageUp) return { ui: page(ui, ctx.ordered, -n) };
    if (key.pageDown) return { ui: page(ui, ctx.ordered, n) };
    if (key.home) return { ui: page(ui, ctx.ordered, 'first') };
    if (key.end) return { ui: page(ui, ctx.ordered, 'last') };
  }
  const logPage = Math.max(1, ctx.logPage ?? 10);
  if (key.pageUp) return { ui: { ...ui, logSkip: ui.logSkip + logPage } };
  if (key.pageDown) return { ui: { ...ui, logSkip: Math.max(0, ui.logSkip - logPage) } };
  if (key.end) return { ui: { ...ui, logSkip: 0 } };
  if (key.upArrow || key.leftArrow || (key.tab && key.shift)) return { ui: move(ui, ctx.ordered, -1) };
  if (key.downArrow || key.rightArrow || key.tab) return { ui: move(ui, ctx.ordered, +1) };
  if (key.escape) return { ui: { ...ui, filter: '', status: undefined, logFull: false } };
  switch (input) {
    case 'q':
      return { ui, quit: true };
    case '?':
      return { ui: { ...ui, mode: 'help' } };
    case '/':
      return { ui: { ...ui, mode: 'filter', draft: ui.filter } };
    case 't':
      return { ui: { ...ui, traces: true, traceSource: 'recent', traceIndex: 0, logFull: false } };
    case 'e':
      if (!ctx.scenarioTraces) return { ui: { ...ui, status: { text: NO_SCENARIO_TRACES, tone: 'warn' } } };
      return { ui: { ...ui, traces: true, traceSource: 'scenario', traceIndex: 0, logFull: false } };
    case 'a':
      return { ui: { ...ui, logScope: ui.logScope === 'all' ? 'selected' : 'all', logSkip: 0 } };
    case 'f':
      if (!ui.logFull && !ui.selected) return { ui: { ...ui, status: { text: 'select an instance first (arrows or tab)', tone: 'warn' } } };
      return { ui: { ...ui, logFull: !ui.logFull, logSkip: 0 } };
    case 'c':
      return ctx.scenarios.length > 0
        ? { ui: { ...ui, mode: 'pick-scenario', pickIndex: 0 } }
        : { ui: { ...ui, mode: 'prompt-scenario', draft: '' } };
  }
  const selected = ctx.ordered.find((v) => v.instance === ui.selected);
  const instanceCommand = selected ? commandFor(input, selected) : undefined;
  if (instanceCommand) return { ui, command: instanceCommand };
  if (!selected && 'krsphl'.includes(input) && input.length === 1) {
    return { ui: { ...ui, status: { text: 'select an instance first (arrows or tab)', tone: 'warn' } } };
  }
  return { ui };
}

/** The instance keys: k kill, r restart, s stop/start, p partition, h heartbeat loss, l latency. */
export function commandFor(input: string, v: InstanceView): Command | undefined {
  const instance = v.instance;
  switch (input) {
    case 'k':
      return { type: 'kill', instance };
    case 'r':
      return { type: 'restart', instance };
    case 's':
      return DOWN_STATES.has(v.state) ? { type: 'start', instance } : { type: 'stop', instance };
    case 'p':
      return { type: 'toggle-fault', instance, fault: 'partition' };
    case 'h':
      return { type: 'toggle-fault', instance, fault: 'heartbeat-loss' };
    case 'l':
      return { type: 'toggle-fault', instance, fault: 'latency' };
    default:
      return undefined;
  }
}
