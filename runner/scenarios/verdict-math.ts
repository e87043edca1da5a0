/**
 * Verdict math: pure functions from a recorded Timeline to numbers (availability, p99, time to detect,
 * time to recover, passing counts). No clocks, no I/O: every number in a report can be recomputed from
 * the JSON timeline.
 *
 *   availability(window) = ok / sent, over requests *sent* inside [from, to)
 *   time to detect       = first sample >= fault start where every target's lease (its registration when the
 *                          fault started) is not passing or gone, minus the fault start
 *   time to recover      = first sample >= heal (kill / restart: the fault itself) where every target is
 *                          ready and its current registration passing (after kill / restart: a new one)
 */
import type { RegistrySample, RequestRecord, StepRecord, Timeline } from './timeline.ts';

export interface RequestStats {
  sent: number;
  ok: number;
  failed: number;
  /** Percent 0..100; NaN when nothing was sent. */
  availability: number;
  p50: number;
  p99: number;
}

/** `completedBy`: only requests answered by then (a baseline must not count calls the first fault cut). */
export function requestStats(
  requests: readonly RequestRecord[],
  window: readonly [number, number],
  load?: string,
  completedBy?: number,
): RequestStats {
  const inside = requests.filter(
    (r) =>
      r.at >= window[0] &&
      r.at < window[1] &&
      (load === undefined || r.load === load) &&
      (completedBy === undefined || r.at + r.ms <= completedBy),
  );
  const ok = inside.filter((r) => r.ok).length;
  const latencies = inside.filter((r) => r.ok).map((r) => r.ms).sort((a, b) => a - b);
  return {
    sent: inside.length,
    ok,
    failed: inside.length - ok,
    availability: inside.length === 0 ? Number.NaN : (ok / inside.length) * 100,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

/** Nearest-rank percentile of sorted values; 0 for none. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** [from, to) of a step id, of the whole run, or of the steady-state windows `before` / `after`. */
export function windowOf(timeline: Timeline, during: string): [number, number] | undefined {
  if (during === 'run') return [0, timeline.endAt];
  if (during === 'before' || during === 'after') return timeline[during];
  const step = timeline.steps.find((s) => s.id === during);
  return step ? [step.startAt, Math.max(step.endAt, step.startAt + 1)] : undefined;
}

export function timeToDetect(timeline: Timeline, step: StepRecord): number | undefined {
  const ids = step.targetIds.filter((id): id is string => id !== undefined);
  if (ids.length === 0) return undefined;
  const hit = timeline.samples.find((s) => s.at >= step.startAt && ids.every((id) => s.leases[id] !== 'passing'));
  return hit ? hit.at - step.startAt : undefined;
}

const replaces = new Set(['kill', 'rolling-restart']);

/** From when recovery is measured: the heal, or the fault itself for faults that heal on their own. */
export function recoveryStart(step: StepRecord): number {
  return replaces.has(step.fault) ? step.startAt : step.endAt;
}

export function timeToRecover(timeline: Timeline, step: StepRecord): number | undefined {
  const from = recoveryStart(step);
  const hit = timeline.samples.find((s) => s.at >= from && step.targets.every((t, i) => recovered(s, t, step, i)));
  return hit ? hit.at - from : undefined;
}

function recovered(sample: RegistrySample, instance: string, step: StepRecord, i: number): boolean {
  const view = sample.instances.find((v) => v.instance === instance);
  if (!view || view.state !== 'ready' || !view.registryId) return false;
  if (replaces.has(step.fault) && view.registryId === step.targetIds[i]) return false;
  return sample.leases[view.registryId] === 'passing';
}

/** Instances of `service` whose current registration is passing, in one sample. */
export function passingCount(sample: RegistrySample, service: string): number {
  return sample.instances.filter((v) => v.service === service && v.registryId && sample.leases[v.registryId] === 'passing').length;
}

export function samplesIn(timeline: Timeline, window: readonly [number, number]): RegistrySample[] {
  return timeline.samples.filter((s) => s.at >= window[0] && s.at < window[1]);
}

/** From the fault's start until every target's registration (from the fault's start) is gone from the registry. */
export function timeToEvict(timeline: Timeline, step: StepRecord): number | undefined {
  const ids = step.targetIds.filter((id): id is string => id !== undefined);
  if (ids.length === 0) return undefined;
  const hit = timeline.samples.find((s) => s.at >= step.startAt && ids.every((id) => !(id in s.leases)));
  return hit ? hit.at - step.startAt : undefined;
}

/** Was any target's registration (from the fault's start) gone from the registry at any time after it? */
export function evictedTargets(timeline: Timeline, step: StepRecord): string[] {
  const after = timeline.samples.filter((s) => s.at >= step.startAt);
  return step.targets.filter((_, i) => {
    const id = step.targetIds[i];
    return id !== undefined && after.some((s) => !(id in s.leases));
  });
}

export function restartsDuring(timeline: Timeline, step: StepRecord): number {
  const last = timeline.samples.at(-1);
  if (!last) return 0;
  const now = step.targets.map((t) => last.instances.find((v) => v.instance === t)?.restarts ?? 0);
  // The count at the fault's start is recorded with the step (a 25 ms sample could already include it).
  const first = timeline.samples.find((s) => s.at >= step.startAt);
  const before = step.restartsAtStart ?? step.targets.map((t) => first?.instances.find((v) => v.instance === t)?.restarts ?? 0);
  return now.reduce((n, r, i) => n + r - (before[i] ?? 0), 0);
}
