/**
 * othersNotPassing: the instances no step targets that were out of the registry's passing set while
 * it was on (their lease lapsed, went critical, or was gone), read from the timeline's registry samples.
 *
 *   samples in [step start, step end] ──> running instances no step targets ──> lease != passing
 *   ──> one span of time per instance: first and last sample seen so, and the state it had then
 *
 * It names collateral damage the verdict alone hides: an availability check failed with "service not
 * found" answers is explained by the api instance whose own heartbeat was late on a loaded machine, not by
 * the srv instance the step silenced. Samples that saw no lease at all (the registry did not answer) judge
 * nobody; only instances running (ready or unhealthy) are judged, not those starting, stopping or restarting.
 */
import type { LeaseState, RegistrySample, StepRecord } from './timeline.ts';

export interface OtherNotPassing {
  instance: string;
  /** Run time (ms since the start) of the first and the last sample that saw it out of the passing set. */
  fromMs: number;
  toMs: number;
  /** What the registry said of its lease then (the last such sample): `missing` when it had none. */
  state: Exclude<LeaseState, 'passing'> | 'missing';
}

/** `targeted`: every instance some step of the run aims at (a sibling step's restart is no collateral damage); default the step's own. */
export function othersNotPassing(step: Pick<StepRecord, 'targets' | 'startAt' | 'endAt'>, samples: readonly RegistrySample[], targeted: Iterable<string> = step.targets): OtherNotPassing[] {
  const targets = new Set(targeted);
  const found = new Map<string, OtherNotPassing>();
  for (const sample of samples) {
    if (sample.at < step.startAt || sample.at > step.endAt) continue;
    const leases = sample.leases;
    if (Object.keys(leases).length === 0) continue;
    for (const i of sample.instances) {
      if (targets.has(i.instance) || (i.state !== 'ready' && i.state !== 'unhealthy') || i.registryId === undefined) continue;
      const lease = leases[i.registryId];
      if (lease === 'passing') continue;
      const seen = found.get(i.instance);
      if (seen) {
        seen.toMs = sample.at;
        seen.state = lease ?? 'missing';
      } else {
        found.set(i.instance, { instance: i.instance, fromMs: sample.at, toMs: sample.at, state: lease ?? 'missing' });
      }
    }
  }
  return [...found.values()].sort((a, b) => a.fromMs - b.fromMs || a.instance.localeCompare(b.instance));
}

/** The report line: `also out of the passing set (no step targets it): greeter-api-1 critical +1.52s .. +2.10s`; none when nobody. */
export function othersNotPassingLine(others: readonly OtherNotPassing[], most = 5): string | undefined {
  if (others.length === 0) return undefined;
  const shown = others.slice(0, most).map((o) => `${o.instance} ${o.state} +${(o.fromMs / 1000).toFixed(2)}s .. +${(o.toMs / 1000).toFixed(2)}s`);
  const more = others.length > most ? ` (and ${others.length - most} more)` : '';
  return `       also out of the passing set (no step targets it): ${shown.join(', ')}${more}`;
}
