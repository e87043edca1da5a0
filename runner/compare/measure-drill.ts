/**
 * measureDrill: the comparison's numbers from one drill's recorded timeline (pure, like the verdict math
 * it reuses). Times are measured on the wall clock and also given as real time (wall / time scale: what
 * the same registry with production timings would take).
 */
import type { ScenarioResult } from '../scenarios/run-scenario.ts';
import type { StepRecord, Timeline } from '../scenarios/timeline.ts';
import { registrationsAccepted, timeToConverge } from '../scenarios/member-math.ts';
import { requestStats, timeToDetect, windowOf } from '../scenarios/verdict-math.ts';
import type { DrillName } from './compare-drills.ts';

export const ROWS = [
  { id: 'detect_dead', label: 'time to detect a dead instance', drill: 'dead-instance' },
  { id: 'failed_while_listed', label: 'failed calls while it was still listed', drill: 'dead-instance' },
  { id: 'availability_outage', label: 'availability during a registry outage', drill: 'registry-outage' },
  { id: 'availability_partition', label: 'availability during a registry partition', drill: 'registry-partition' },
  { id: 'register_partition', label: 'registration during a partition', drill: 'registry-partition' },
  { id: 'mass_heartbeat_loss', label: 'mass heartbeat loss (75 % silent)', drill: 'heartbeat-loss' },
  { id: 'converge_after_heal', label: 'time to converge after the heal', drill: 'registry-partition' },
] as const satisfies readonly { id: string; label: string; drill: DrillName }[];

export type RowId = (typeof ROWS)[number]['id'];

export interface Cell {
  /** What the table shows. */
  text: string;
  /** The number (ms of real time, percent, count) or outcome ('allowed', 'evict', ...); null when not measured. */
  value: number | string | null;
  unit?: 'ms' | '%' | 'calls' | 'outcome';
  /** Wall-clock ms as measured, for times. */
  wallMs?: number;
  /** A time that did not happen within the drill's window: the window, as real-time ms. */
  notWithinMs?: number;
  /** The drill did not apply to this registry (and why). */
  skipped?: string;
  /** The drill could not run (and why). */
  error?: string;
}

const secs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`);
const pct = (v: number) => `${v.toFixed(1)} %`;

/** A time cell: real time first, the wall time measured after it. */
function timeCell(wallMs: number | undefined, timeScale: number, windowMs: number, note = ''): Cell {
  if (wallMs === undefined) {
    return { text: `not within ${secs(windowMs / timeScale)}${note}`, value: null, unit: 'ms', notWithinMs: Math.round(windowMs / timeScale) };
  }
  const real = wallMs / timeScale;
  return { text: `${secs(real)} (${Math.round(wallMs)} ms wall)${note}`, value: Math.round(real), unit: 'ms', wallMs: Math.round(wallMs) };
}

/** The cells a drill yields for one registry. */
export function measureDrill(
  drill: DrillName,
  result: ScenarioResult,
  timeScale: number,
  isolate?: string,
  membersTimeScale = timeScale,
): Partial<Record<RowId, Cell>> {
  if (result.verdict === 'error') {
    const cell: Cell = { text: `error: ${result.error ?? 'the drill did not run'}`, value: null, error: result.error ?? 'did not run' };
    return Object.fromEntries(ROWS.filter((r) => r.drill === drill).map((r) => [r.id, cell]));
  }
  const t = result.timeline;
  const step = (id: string) => t.steps.find((s) => s.id === id);
  switch (drill) {
    case 'dead-instance': {
      const s = step('dead');
      if (!s) return {};
      const detect = timeToDetect(t, s);
      const windowMs = s.endAt - s.startAt;
      const kept = detect === undefined && selfPreservationIn(t, s) ? ' (self-preservation kept it)' : '';
      const listedUntil = s.startAt + (detect ?? windowMs);
      const calls = requestStats(t.requests, [s.startAt, listedUntil], 'rpc');
      return {
        detect_dead: timeCell(detect, timeScale, windowMs, kept),
        failed_while_listed: { text: `${calls.failed} of ${calls.sent}`, value: calls.failed, unit: 'calls' },
      };
    }
    case 'registry-outage': {
      const w = windowOf(t, 'outage');
      if (!w) return {};
      const stats = requestStats(t.requests, w, 'rpc');
      return { availability_outage: { text: `${pct(stats.availability)} (${stats.ok}/${stats.sent})`, value: round(stats.availability), unit: '%' } };
    }
    case 'registry-partition': {
      const s = step('split');
      const w = windowOf(t, 'split');
      if (!s || !w) return {};
      const stats = requestStats(t.requests, w, 'rpc');
      // Registrations during the split: on the isolated member's own view when it is sampled by name (Eureka
      // peers); else in the cluster's committed view (etcd, whose isolated member is "the leader" when the
      // drill began: what the majority accepted). Convergence: whenever the members' own views are sampled
      // (Eureka peers; etcd's serializable reads of each member), until they all list the same ids.
      const perMember = isolate !== undefined && t.samples.some((x) => x.members?.[isolate]);
      const membersSampled = t.samples.some((x) => Object.keys(x.members ?? {}).length > 1);
      const added = perMember ? registrationsAccepted(t, w, isolate) : newLeases(t, w);
      const where = perMember ? `on the isolated ${isolate}` : `in the registry (${s.targets.join(', ') || isolate} isolated)`;
      const converge = timeToConverge(t, s);
      const keptBy = converge === undefined && selfPreservationIn(t, { ...s, startAt: s.endAt, endAt: t.endAt }) ? ' (self-preservation on)' : '';
      return {
        availability_partition: { text: `${pct(stats.availability)} (${stats.ok}/${stats.sent})`, value: round(stats.availability), unit: '%' },
        register_partition: added.length
          ? { text: `allowed (${added.length} new ${where})`, value: 'allowed', unit: 'outcome' }
          : { text: `refused (nothing new ${where})`, value: 'refused', unit: 'outcome' },
        converge_after_heal: membersSampled
          ? timeCell(converge, membersTimeScale, t.endAt - s.endAt, keptBy)
          : { text: '— (one consistent view sampled, not each member)', value: null, skipped: 'one consistent view sampled, not each member' },
      };
    }
    case 'heartbeat-loss': {
      const s = step('silence');
      if (!s) return {};
      const dropped = droppedTargets(t, s);
      const guarded = selfPreservationIn(t, s) ? ', self-preservation on' : '';
      const n = s.targets.length;
      return {
        mass_heartbeat_loss: dropped > 0
          ? { text: `evict (${dropped} of ${n} dropped${guarded})`, value: 'evict', unit: 'outcome' }
          : { text: `protect (0 of ${n} dropped${guarded})`, value: 'protect', unit: 'outcome' },
      };
    }
  }
}

/** Registrations the registry listed during the window that it did not list when the window began. */
function newLeases(t: Timeline, w: readonly [number, number]): string[] {
  const inside = t.samples.filter((x) => x.at >= w[0] && x.at < w[1]);
  if (inside.length === 0) return [];
  const known = new Set(Object.keys(inside[0].leases));
  return [...new Set(inside.flatMap((x) => Object.keys(x.leases)).filter((id) => !known.has(id)))];
}

/** Targets whose registration (as of the fault) was not passing, or gone, at some moment of the fault. */
function droppedTargets(t: Timeline, s: StepRecord): number {
  const during = t.samples.filter((x) => x.at >= s.startAt && x.at <= s.endAt);
  return s.targetIds.filter((id) => id !== undefined && during.some((x) => x.leases[id] !== 'passing')).length;
}

function selfPreservationIn(t: Timeline, s: StepRecord): boolean {
  return t.samples.some((x) => x.at >= s.startAt && x.at <= s.endAt && x.selfPreservation === true);
}

const round = (v: number) => (Number.isNaN(v) ? null : Math.round(v * 100) / 100);
