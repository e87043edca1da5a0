/**
 * Verdict math for a registry that is a consensus cluster (etcd), pure over a recorded Timeline:
 *
 *   registry_writes     share of probe writes sent in the step's window that a side's members acknowledged
 *                       before the heal began (one acknowledged later may have been taken by a cluster the
 *                       heal already made whole: the first of two killed members back is a quorum)
 *   time_to_writable    from the fault (or the heal) until a side's members acknowledge a write again
 *   registry_leaders    most members that claim to lead in one raft term at any sample (2+ = split brain)
 *   log_lines           instance output lines matching a pattern in a window
 *
 * The sides of a step are its targets (the members the fault was put on: `isolated`) and the rest (`others`).
 */
import type { ExpectationResult } from './evaluate-expectation.ts';
import type { Expectation } from './scenario-schema.ts';
import type { RegistryWrite, StepRecord, Timeline } from './timeline.ts';
import { samplesIn, windowOf } from './verdict-math.ts';

export type ClusterExpectation = Extract<Expectation, { metric: 'registry_writes' | 'time_to_writable' | 'registry_leaders' | 'log_lines' }>;

/** The members on one side of a step: its targets, or every other member that was probed or sampled. */
export function sideOf(timeline: Timeline, step: StepRecord, side: 'isolated' | 'others'): string[] {
  if (side === 'isolated') return step.targets;
  const all = new Set([...(timeline.registryWrites ?? []).map((w) => w.member), ...timeline.samples.flatMap((s) => Object.keys(s.roles ?? {}))]);
  return [...all].filter((m) => !step.targets.includes(m)).sort();
}

/** Probe writes of `members` sent in [from, to). */
export function writesIn(timeline: Timeline, members: readonly string[], from: number, to: number): RegistryWrite[] {
  return (timeline.registryWrites ?? []).filter((w) => members.includes(w.member) && w.at >= from && w.at < to);
}

/** From `from` until the first write sent at or after it that a member of the side acknowledged. */
export function timeToWritable(timeline: Timeline, members: readonly string[], from: number): number | undefined {
  const first = (timeline.registryWrites ?? []).filter((w) => w.ok && members.includes(w.member) && w.at >= from).sort((a, b) => a.at - b.at)[0];
  return first ? first.at + first.ms - from : undefined;
}

/** The most members claiming leadership in one term at any sample of the window, with who they were. */
export function leadersPerTerm(timeline: Timeline, window: readonly [number, number]): { most: number; who: string[]; samples: number } {
  let best = { most: 0, who: [] as string[] };
  const samples = samplesIn(timeline, window).filter((s) => s.roles);
  for (const s of samples) {
    const byTerm = new Map<number, string[]>();
    for (const [name, r] of Object.entries(s.roles!)) {
      if (r.role !== 'leader') continue;
      const term = r.term ?? -1;
      byTerm.set(term, [...(byTerm.get(term) ?? []), name]);
    }
    for (const names of byTerm.values()) if (names.length > best.most) best = { most: names.length, who: names };
  }
  return { ...best, samples: samples.length };
}

export function evaluateClusterExpectation(e: ClusterExpectation, timeline: Timeline): ExpectationResult {
  const result = (label: string, ok: boolean, value: number | null, detail: string) => ({ label, ok, value, detail });
  const msText = (v: number | undefined) => (v === undefined ? 'never' : `${Math.round(v)} ms`);
  const bounds = (min: number | undefined, max: number | undefined, unit: string) =>
    [min !== undefined ? `>= ${min}${unit}` : '', max !== undefined ? `<= ${max}${unit}` : ''].filter(Boolean).join(' and ');
  if (e.metric === 'registry_leaders' || e.metric === 'log_lines') {
    const window = windowOf(timeline, e.during);
    if (!window) return result(`${e.metric} during ${e.during}`, false, null, `step ${e.during} did not run`);
    if (e.metric === 'registry_leaders') {
      const { most, who, samples } = leadersPerTerm(timeline, window);
      if (samples === 0) return result(`registry leaders per term during ${e.during}`, false, null, 'no samples of the members (registry kind etcd)');
      return result(`registry leaders per term during ${e.during} <= ${e.max}`, most <= e.max, most, `most ${most} in one term${most > 0 ? ` (${who.join(', ')})` : ''} over ${samples} samples`);
    }
    const pattern = new RegExp(e.pattern);
    const lines = (timeline.logs ?? []).filter((l) => l.at >= window[0] && l.at < window[1] && pattern.test(l.line) && (e.instance === undefined || l.instance.startsWith(e.instance)));
    const ok = (e.min === undefined || lines.length >= e.min) && (e.max === undefined || lines.length <= e.max);
    return result(
      `log lines /${e.pattern}/${e.instance ? ` of ${e.instance}` : ''} during ${e.during} ${bounds(e.min, e.max, '')}`,
      ok,
      lines.length,
      lines.length ? `${lines.length}, first: ${lines[0]!.instance}: ${lines[0]!.line.slice(0, 200)}` : 'none',
    );
  }
  const step = timeline.steps.find((s) => s.id === e.step);
  if (!step) return result(`${e.metric} of ${e.step}`, false, null, `step ${e.step} did not run`);
  const members = sideOf(timeline, step, e.side);
  const who = `${e.side} (${members.join(', ') || 'none'})`;
  if (e.metric === 'registry_writes') {
    const end = Math.max(step.healAt ?? step.endAt, step.startAt + 1);
    const writes = writesIn(timeline, members, step.startAt, end);
    const acked = writes.filter((w) => w.ok && w.at + w.ms < end).length;
    const share = writes.length ? (acked / writes.length) * 100 : NaN;
    const ok = writes.length > 0 && (e.min === undefined || share >= e.min) && (e.max === undefined || share <= e.max);
    return result(`registry writes accepted by ${who} during ${e.step} ${bounds(e.min, e.max, '%')}`, ok, writes.length ? share : null, `${acked} of ${writes.length} probe writes acknowledged before the heal`);
  }
  const from = e.from === 'heal' ? step.endAt : step.startAt;
  const v = timeToWritable(timeline, members, from);
  return result(`time until ${who} accept writes after the ${e.from === 'heal' ? 'heal' : 'fault'} of ${e.step} <= ${e.max} ms`, v !== undefined && v <= e.max, v ?? null, `was ${msText(v)}`);
}
