import type { ScenarioView } from '../../engine/api.ts';
import { formatDuration } from './format.ts';
import { fitLine, seg, titleLine, type Line, type Segment } from './line.ts';

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
export function scenarioLines(sc: ScenarioView, o: { width: number; now: number; maxLines: number }): Line[] {
  const passed = sc.expectations.filter((e) => e.state === 'pass').length;
  const failed = sc.expectations.filter((e) => e.state === 'fail').length;
  const title = titleLine(`Scenario ${sc.name}`, o.width, [
    seg(` ${formatDuration(o.now - sc.startedAt)}  `, 'dim'),
    seg(`${passed} pass`, passed ? 'ok' : 'dim'),
    seg(' '),
    seg(`${failed} fail`, failed ? 'bad' : 'dim'),
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
    .map((st) => fitLine([STEP_MARK[st.state], seg(`+${st.at % 1000 === 0 ? `${st.at / 1000}s` : formatDuration(st.at)} `, 'dim'), seg(st.label)], o.width));
  return [title, ...steps, ...expShown].slice(0, Math.max(1, o.maxLines));
}
