/**
 * Canary verdict math, pure, from the recorded Timeline: what each instance's inbound link had served is
 * sampled every 25 ms (`InstanceSample.served`), so a stage's error rate and a version's share of the
 * traffic are recomputed from the samples, not taken from what the canary step said at the time.
 *
 *   served(instances, window) = sum over instances of (counter at the first sample >= to)
 *                                                     - (counter at the last sample <= from)
 *   (a superset of the window by at most one sampling period at each end: never fewer calls than the
 *   canary step counted itself at the stage's edges)
 *   stage error rate          = errors / requests of the new version's instances in the stage's window
 *   traffic share             = requests(service) / (requests(service) + requests(versus)) in the window
 */
import { judge } from './canary-release.ts';
import type { CanaryRecord, CanaryStage, StepRecord, Timeline } from './timeline.ts';

export function servedIn(timeline: Timeline, match: (instance: { instance: string; service: string }) => boolean, window: readonly [number, number]): { requests: number; errors: number } {
  // The window as the samples bracket it: from the last sample at or before its start to the first at or
  // after its end (the last one when the run stopped first), so nothing counted inside it is missed.
  const startSample = () => {
    let last: Timeline['samples'][number] | undefined;
    for (const s of timeline.samples) {
      if (s.at > window[0]) break;
      last = s;
    }
    return last ?? timeline.samples[0];
  };
  const start = startSample();
  const end = timeline.samples.find((s) => s.at >= window[1]) ?? timeline.samples.at(-1);
  let requests = 0;
  let errors = 0;
  for (const i of end?.instances ?? []) {
    if (!match(i)) continue;
    const before = start?.instances.find((b) => b.instance === i.instance)?.served;
    requests += (i.served?.requests ?? 0) - (before?.requests ?? 0);
    errors += (i.served?.errors ?? 0) - (before?.errors ?? 0);
  }
  return { requests, errors };
}

/** The canary's stages judged again on the samples, with the limits the step used. */
export function recomputedStages(timeline: Timeline, step: StepRecord & { canary: CanaryRecord }): CanaryStage[] {
  const targets = new Set(step.targets);
  return step.canary.stages.map((s) => {
    const served = servedIn(timeline, (i) => targets.has(i.instance), [s.from, s.to]);
    return judge(s.share, s.from, s.to, served.requests, served.errors, { max_error_rate: step.canary.maxErrorRate, min_requests: step.canary.minRequests });
  });
}

/** What the recomputed stages decide: promoted when every stage held. */
export function recomputedOutcome(stages: readonly CanaryStage[], record: CanaryRecord): 'promoted' | 'rolled_back' {
  return stages.length === record.plannedShares.length && stages.every((s) => s.ok) ? 'promoted' : 'rolled_back';
}

/** Percent of the requests `service` served among it and `versus` in the window; NaN when neither served. */
export function trafficShare(timeline: Timeline, service: string, versus: string, window: readonly [number, number]): { share: number; mine: number; theirs: number } {
  const mine = servedIn(timeline, (i) => i.service === service, window).requests;
  const theirs = servedIn(timeline, (i) => i.service === versus, window).requests;
  return { share: mine + theirs === 0 ? NaN : (mine / (mine + theirs)) * 100, mine, theirs };
}
