/**
 * scenarioView: what a dashboard shows of a running scenario (ScenarioView of runner/engine/api.ts): its
 * steps on the timeline (pending / active / done) and its checks (pending until judged, then pass / fail).
 * Pure; the runner calls it on every step change and once with the verdict (ScenarioRunOptions.onView),
 * then with each step's failed and slowest traces (`traces`, read when the run ends).
 */
import type { ScenarioView } from '../engine/api.ts';
import { stepTraceList, type StepTraces } from './step-traces.ts';
import type { Scenario } from './check-scenario-text.ts';
import type { ExpectationResult } from './evaluate-expectation.ts';
import type { StepRecord } from './timeline.ts';

export function scenarioView(
  scenario: Scenario,
  startedAt: number,
  steps: readonly StepRecord[],
  results?: readonly ExpectationResult[],
  traces?: readonly StepTraces[],
): ScenarioView {
  return {
    name: scenario.name,
    startedAt,
    steps: scenario.steps.map((spec) => {
      const record = steps.find((s) => s.id === spec.id);
      const targets = record && record.targets.length > 0 ? ` ${record.targets.join(', ')}` : '';
      const listed = traces?.find((t) => t.step === spec.id);
      return {
        at: spec.at,
        label: `${spec.id}: ${spec.fault}${targets}`,
        state: !record ? 'pending' : record.endAt > 0 ? 'done' : 'active',
        ...(listed ? { traces: stepTraceList(listed) } : {}),
      };
    }),
    expectations: results
      ? results.map((r) => ({ label: r.label, state: r.ok ? 'pass' : 'fail', detail: r.detail }))
      : scenario.expect.map((e) => ({ label: 'step' in e ? `${e.metric} ${e.step}` : `${e.metric} during ${e.during}`, state: 'pending' })),
  };
}
