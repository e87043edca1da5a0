/**
 * evaluateCanary: the canary expectations (`canary`, `canary_error_rate`, `traffic_share`) judged on the
 * recorded Timeline, every number recomputed from the samples (canary-math.ts).
 *
 *   canary            the step's outcome is the one expected AND the stages recomputed from the samples
 *                     decide the same (a step that promoted a failing version does not pass)
 *   canary_error_rate max: every judged stage at most; min: the last judged stage at least
 *   traffic_share     the share of `service` among it and `versus` in the window
 */
import type { Expectation } from './scenario-schema.ts';
import type { Timeline } from './timeline.ts';
import type { ExpectationResult } from './evaluate-expectation.ts';
import { recomputedOutcome, recomputedStages, trafficShare } from './canary-math.ts';
import { windowOf } from './verdict-math.ts';

type CanaryExpectation = Extract<Expectation, { metric: 'canary' | 'canary_error_rate' | 'traffic_share' }>;

const pct = (v: number) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)}%`);

export function evaluateCanary(e: CanaryExpectation, timeline: Timeline): ExpectationResult {
  const result = (label: string, ok: boolean, value: number | null, detail: string) => ({ label, ok, value, detail });
  if (e.metric === 'traffic_share') {
    const bounds = [e.min !== undefined ? `>= ${e.min}%` : '', e.max !== undefined ? `<= ${e.max}%` : ''].filter(Boolean).join(' and ');
    const label = `traffic share of ${e.service} (vs ${e.versus}) during ${e.during} ${bounds}`;
    const window = windowOf(timeline, e.during);
    if (!window) return result(label, false, null, `step ${e.during} did not run`);
    const { share, mine, theirs } = trafficShare(timeline, e.service, e.versus, window);
    const ok = !Number.isNaN(share) && (e.min === undefined || share >= e.min) && (e.max === undefined || share <= e.max);
    return result(label, ok, Number.isNaN(share) ? null : share, `was ${pct(share)} (${mine} of ${mine + theirs} requests)`);
  }
  const step = timeline.steps.find((s) => s.id === e.step);
  const canary = step?.canary;
  if (!step || !canary) return result(`${e.metric} of ${e.step}`, false, null, `canary step ${e.step} did not run to a decision`);
  const stages = recomputedStages(timeline, { ...step, canary });
  const perStage = stages.map((s) => `${s.share}%: ${s.errors}/${s.requests} (${pct(s.errorRate)})`).join(', ');
  if (e.metric === 'canary') {
    const decided = recomputedOutcome(stages, canary);
    const ok = canary.outcome === e.outcome && decided === canary.outcome;
    const outcome = e.outcome.replace('_', ' ');
    return result(
      `canary ${e.step} ${outcome}`,
      ok,
      stages.length,
      `${canary.outcome.replace('_', ' ')} after ${stages.length} of ${canary.plannedShares.length} stages (${perStage}); the samples say ${decided.replace('_', ' ')}`,
    );
  }
  if (stages.length === 0) return result(`canary error rate of ${e.step}`, false, null, 'no stage was judged');
  const parts: string[] = [];
  let ok = true;
  if (e.max !== undefined) {
    parts.push(`<= ${e.max}% at every stage`);
    ok &&= stages.every((s) => s.errorRate <= e.max!);
  }
  if (e.min !== undefined) {
    parts.push(`>= ${e.min}% at the last stage`);
    ok &&= stages.at(-1)!.errorRate >= e.min;
  }
  const worst = Math.max(...stages.map((s) => s.errorRate));
  // A stage nothing reached has a NaN rate: it fails every bound here (no evidence is not a pass).
  return result(`canary error rate of ${e.step} ${parts.join(', ')}`, ok, e.min !== undefined ? stages.at(-1)!.errorRate : worst, perStage);
}
