/**
 * Verdict math over the registry members' own views (`RegistrySample.members`: the registrations each
 * member lists, sampled every 25 ms): how far they diverge during a split, when they agree again, which
 * registrations a member accepted in a window, and how long a member keeps listing a target. Pure.
 */
import type { ExpectationResult } from './evaluate-expectation.ts';
import type { Expectation } from './scenario-schema.ts';
import type { RegistrySample, StepRecord, Timeline } from './timeline.ts';
import { samplesIn, windowOf } from './verdict-math.ts';

type MemberExpectation = Extract<Expectation, { metric: 'views_diverged' | 'time_to_converge' | 'registrations_accepted' | 'time_listed' }>;

/** Registrations some member lists and another does not (the union minus the intersection). */
export function divergence(sample: RegistrySample): number {
  const views = Object.values(sample.members ?? {});
  if (views.length < 2) return 0;
  const union = new Set(views.flat());
  const everywhere = [...union].filter((id) => views.every((v) => v.includes(id)));
  return union.size - everywhere.length;
}

/** The most diverged moment of the window, with each member's count then. */
export function mostDiverged(samples: readonly RegistrySample[]): { diverged: number; counts: Record<string, number> } {
  let best = { diverged: 0, counts: {} as Record<string, number> };
  for (const s of samples) {
    const d = divergence(s);
    if (d > best.diverged || Object.keys(best.counts).length === 0) {
      best = { diverged: d, counts: Object.fromEntries(Object.entries(s.members ?? {}).map(([m, ids]) => [m, ids.length])) };
    }
  }
  return best;
}

/** From the step's end (its heal) until every member lists the same registrations. */
export function timeToConverge(timeline: Timeline, step: StepRecord): number | undefined {
  const hit = timeline.samples.find((s) => s.at >= step.endAt && s.members !== undefined && divergence(s) === 0);
  return hit ? hit.at - step.endAt : undefined;
}

/** Registrations the member lists during the window that it did not list when the window began. */
export function registrationsAccepted(timeline: Timeline, window: readonly [number, number], member: string): string[] {
  const samples = samplesIn(timeline, window).filter((s) => s.members?.[member]);
  if (samples.length === 0) return [];
  const known = new Set(samples[0].members![member]);
  const added = new Set<string>();
  for (const s of samples) for (const id of s.members![member]) if (!known.has(id)) added.add(id);
  return [...added];
}

/** From the fault until the member no longer lists any target's registration (as of the fault's start). */
export function timeListed(timeline: Timeline, step: StepRecord, member: string): number | undefined {
  const ids = step.targetIds.filter((id): id is string => id !== undefined);
  if (ids.length === 0) return undefined;
  const hit = timeline.samples.find((s) => s.at >= step.startAt && s.members?.[member] && ids.every((id) => !s.members![member].includes(id)));
  return hit ? hit.at - step.startAt : undefined;
}

export function evaluateMemberExpectation(e: MemberExpectation, timeline: Timeline): ExpectationResult {
  const result = (label: string, ok: boolean, value: number | null, detail: string) => ({ label, ok, value, detail });
  const msText = (v: number | undefined) => (v === undefined ? 'never' : `${Math.round(v)} ms`);
  if (e.metric === 'views_diverged' || e.metric === 'registrations_accepted') {
    const window = windowOf(timeline, e.during);
    if (!window) return result(`${e.metric} during ${e.during}`, false, null, `step ${e.during} did not run`);
    if (e.metric === 'views_diverged') {
      const samples = samplesIn(timeline, window).filter((s) => s.members);
      if (samples.length === 0) return result(`views diverged during ${e.during}`, false, null, 'no samples of the registry members (registry.peers)');
      const { diverged, counts } = mostDiverged(samples);
      const seen = Object.entries(counts).map(([m, n]) => `${m} lists ${n}`).join(', ');
      return result(`views diverged during ${e.during} by >= ${e.min}`, diverged >= e.min, diverged, `at most ${diverged} registrations not listed everywhere (${seen})`);
    }
    const added = registrationsAccepted(timeline, window, e.member);
    return result(`registrations accepted by ${e.member} during ${e.during} >= ${e.min}`, added.length >= e.min, added.length, added.length ? `new: ${added.join(', ')}` : 'none');
  }
  const step = timeline.steps.find((s) => s.id === e.step);
  if (!step) return result(`${e.metric} of ${e.step}`, false, null, `step ${e.step} did not run`);
  if (e.metric === 'time_to_converge') {
    const v = timeToConverge(timeline, step);
    return result(`time to converge after ${e.step} <= ${e.max} ms`, v !== undefined && v <= e.max, v ?? null, `was ${msText(v)} (every member lists the same registrations)`);
  }
  const v = timeListed(timeline, step, e.member);
  const bounds = [e.min !== undefined ? `>= ${e.min} ms` : '', e.max !== undefined ? `<= ${e.max} ms` : ''].filter(Boolean).join(' and ');
  const ok = v !== undefined && (e.min === undefined || v >= e.min) && (e.max === undefined || v <= e.max);
  return result(`${e.member} lists ${step.targets.join(', ')} after ${e.step} ${bounds}`, ok, v ?? null, `was ${msText(v)}`);
}
