/**
 * judgeObservable: which expectations a run could judge. Against a running system micro-dev may see only
 * its own load (not the registry, the instances' states or their logs), and a step whose fault could not
 * be put in place has no window. Such an expectation is reported `unjudged` with the reason: never passed,
 * never failed. Pure.
 */
import type { ExpectationResult } from './evaluate-expectation.ts';
import type { Expectation } from './scenario-schema.ts';
import type { StageObservations } from './scenario-stage.ts';

/** Metrics measured on micro-dev's own requests alone. */
const LOAD_METRICS: ReadonlySet<string> = new Set(['availability', 'failed_requests', 'p99']);
const WINDOWS: ReadonlySet<string> = new Set(['run', 'before', 'after']);

export const NOT_OBSERVED = "needs the registry's and the instances' view, which this run does not have (it sees only its own load)";
/**
 * Metrics measured on each registry member's own list, role or probe writes (a cluster of members): a running
 * up's control API does not give those.
 */
export const MEMBER_METRICS: ReadonlySet<string> = new Set([
  'views_diverged',
  'time_to_converge',
  'registrations_accepted',
  'time_listed',
  'registry_writes',
  'time_to_writable',
  'registry_leaders',
]);

/** Why `e` cannot be judged on this run, or undefined when it can. */
export function unjudgedReason(e: Expectation, observes: StageObservations, notApplied: ReadonlyMap<string, string>): string | undefined {
  const step = 'step' in e ? e.step : 'during' in e && !WINDOWS.has(e.during) ? e.during : undefined;
  if (step !== undefined && notApplied.has(step)) return `step ${step} was not applied: ${notApplied.get(step)}`;
  if (observes === 'load' && !LOAD_METRICS.has(e.metric)) return `${e.metric} ${NOT_OBSERVED}`;
  if (observes === 'all but members' && MEMBER_METRICS.has(e.metric)) return `${e.metric} needs each registry member's own list, which a running up does not show from outside`;
  return undefined;
}

/** The result of a check that could not be judged. */
export function unjudged(label: string, reason: string): ExpectationResult {
  return { label, ok: false, value: null, detail: `not judged: ${reason}`, unjudged: reason };
}
