import type { ScenarioView, StepTraceView } from '../../engine/api.ts';
import { formatDuration, sanitize } from './format.ts';
import { fitLine, pad, padStart, seg, titleLine, type Line, type Segment } from './line.ts';

const STEP_MARK: Record<ScenarioView['steps'][number]['state'], Segment> = {
  pending: seg('  wait ', 'dim'),
  active: seg('> now  ', 'accent'),
  done: seg('  done ', 'ok'),
};
const VERDICT: Record<ScenarioView['expectations'][number]['state'], Segment> = {
  pending: seg('pending', 'dim'),
  pass: seg('PASS   ', 'ok'),
  fail: seg('FAIL   ', 'bad'),
};

/**
 * Scenario timeline: expectations first (they are the verdict), then as many steps as fit, in a window
 * around the latest step that started.
 */
export function scenarioLines(sc: ScenarioView, o: { width: number; now: number; maxLines: number; /** the dashboard: name the key (e) that opens the step traces */ keys?: boolean }): Line[] {
  const passed = sc.expectations.filter((e) => e.state === 'pass').length;
  const failed = sc.expectations.filter((e) => e.state === 'fail').length;
  const traced = scenarioTraceRows(sc).length;
  const title = titleLine(`Scenario ${sc.name}`, o.width, [
    seg(` ${formatDuration(o.now - sc.startedAt)}  `, 'dim'),
    seg(`${passed} pass`, passed ? 'ok' : 'dim'),
    seg(' '),
    seg(`${failed} fail`, failed ? 'bad' : 'dim'),
    ...(traced > 0 ? [seg(`  ${o.keys ? 'e: ' : ''}${traced} step traces`, 'accent')] : []),
  ]);
  const exp = sc.expectations.map((e) =>
    fitLine([seg('  '), VERDICT[e.state], seg(' ' + e.label), ...(e.detail ? [seg(` (${e.detail})`, 'dim')] : [])], o.width),
  );
  const room = Math.max(0, o.maxLines - 1);
  const expShown = exp.slice(0, Math.max(1, room - 1));
  const stepRoom = Math.max(0, room - expShown.length);
  const lastStarted = sc.steps.reduce((acc, st, i) => (st.state === 'pending' ? acc : i), 0);
  const start = Math.max(0, Math.min(lastStarted - Math.floor(stepRoom / 2), sc.steps.length - stepRoom));
  const steps = sc.steps
    .slice(start, start + stepRoom)
    .map((st) => fitLine([STEP_MARK[st.state], seg(`+${st.at % 1000 === 0 ? `${st.at / 1000}s` : formatDuration(st.at)} `, 'dim'), seg(st.label), ...stepTraceCount(st.traces)], o.width));
  return [title, ...steps, ...expShown].slice(0, Math.max(1, o.maxLines));
}

/** `  3 traces, 2 failed` after a step that lists traces. */
function stepTraceCount(traces: readonly StepTraceView[] | undefined): Segment[] {
  if (!traces || traces.length === 0) return [];
  const failed = traces.filter((t) => t.failed).length;
  return [seg(`  ${traces.length} trace${traces.length === 1 ? '' : 's'}`, 'dim'), ...(failed ? [seg(`, ${failed} failed`, 'bad')] : [])];
}

export interface ScenarioTraceRow {
  /** The step's id (its label up to the colon). */
  step: string;
  trace: StepTraceView;
}

/** The traces the scenario's steps list, in step order (failed first within a step). */
export function scenarioTraceRows(sc: ScenarioView | undefined): ScenarioTraceRow[] {
  return (sc?.steps ?? []).flatMap((st) => (st.traces ?? []).map((trace) => ({ step: st.label.split(':')[0]!, trace })));
}

/** One line per step trace: step, status, duration, id, name, and the hop and fault that explain it. */
export function scenarioTraceListLines(rows: readonly ScenarioTraceRow[], o: { width: number; selected?: number }): Line[] {
  const stepWidth = Math.min(16, Math.max(4, ...rows.map((r) => r.step.length)));
  return rows.map(({ step, trace: t }, i) =>
    fitLine(
      [
        seg(i === o.selected ? '> ' : '  ', i === o.selected ? 'selected' : undefined),
        seg(`${pad(sanitize(step), stepWidth)} `, 'dim'),
        t.failed ? seg('FAIL', 'bad') : seg('slow', 'warn'),
        seg(` ${padStart(formatDuration(t.durationMs), 6)} `),
        seg(`${t.traceId.slice(0, 12)} `, 'accent'),
        seg(sanitize(t.name)),
        ...(t.explanation ? [seg(`  ${sanitize(t.explanation)}`, t.failed ? 'bad' : 'warn')] : []),
      ],
      o.width,
    ),
  );
}
