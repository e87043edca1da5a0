/**
 * evaluateExpectation: one `expect:` entry judged on a recorded Timeline (pure). Also the steady-state
 * hypothesis, judged on the before / after windows. A result names what was measured, the limit and
 * the value, so a JUnit failure reads on its own: `availability during cut (api) >= 99.9%: was 97.31%`.
 */
import type { Expectation, SteadyState } from './scenario-schema.ts';
import type { Timeline } from './timeline.ts';
import {
  evictedTargets,
  passingCount,
  requestStats,
  restartsDuring,
  samplesIn,
  timeToDetect,
  timeToEvict,
  timeToRecover,
  windowOf,
} from './verdict-math.ts';
import { leadersIn, timeToNewLeader, timeToStepDown } from './leadership-math.ts';
import { evaluateMemberExpectation } from './member-math.ts';
import { evaluateCanary } from './evaluate-canary.ts';
import { evaluateClusterExpectation } from './cluster-math.ts';

export interface ExpectationResult {
  label: string;
  ok: boolean;
  /** The measured number (ms, percent, count); null when it could not be measured. */
  value: number | null;
  detail: string;
  /** Set when the run could not judge it (judge-observable.ts): then `ok` is false but it did not fail. */
  unjudged?: string;
}

const pct = (v: number) => (Number.isNaN(v) ? 'n/a (no requests)' : `${v.toFixed(2)}%`);
const msText = (v: number | undefined) => (v === undefined ? 'never' : `${Math.round(v)} ms`);

export function evaluateExpectation(e: Expectation, timeline: Timeline, defaultLoad: string | undefined): ExpectationResult {
  const result = (label: string, ok: boolean, value: number | null, detail: string) => ({ label, ok, value, detail });
  switch (e.metric) {
    case 'availability':
    case 'failed_requests':
    case 'p99': {
      const load = e.load ?? defaultLoad;
      const window = windowOf(timeline, e.during);
      if (!window) return result(`${e.metric} during ${e.during}`, false, null, `step ${e.during} did not run`);
      const stats = requestStats(timeline.requests, window, load);
      const where = `during ${e.during} (${load})`;
      if (e.metric === 'availability') {
        const bounds = [e.min !== undefined ? `>= ${e.min}%` : '', e.max !== undefined ? `<= ${e.max}%` : ''].filter(Boolean).join(' and ');
        const ok = stats.sent > 0 && (e.min === undefined || stats.availability >= e.min) && (e.max === undefined || stats.availability <= e.max);
        return result(`availability ${where} ${bounds}`, ok, Number.isNaN(stats.availability) ? null : stats.availability, `was ${pct(stats.availability)} (${stats.ok}/${stats.sent})`);
      }
      if (e.metric === 'failed_requests') {
        return result(`failed requests ${where} <= ${e.max}`, stats.failed <= e.max, stats.failed, `was ${stats.failed} of ${stats.sent}`);
      }
      const bounds = [e.min !== undefined ? `>= ${e.min} ms` : '', e.max !== undefined ? `<= ${e.max} ms` : ''].filter(Boolean).join(' and ');
      const ok = stats.ok > 0 && (e.min === undefined || stats.p99 >= e.min) && (e.max === undefined || stats.p99 <= e.max);
      return result(`p99 ${where} ${bounds}`, ok, stats.p99, `was ${stats.p99.toFixed(1)} ms over ${stats.ok} ok requests`);
    }
    case 'time_to_detect':
    case 'time_to_recover':
    case 'evicted':
    case 'not_evicted':
    case 'restarts': {
      const step = timeline.steps.find((s) => s.id === e.step);
      if (!step) return result(`${e.metric} of ${e.step}`, false, null, `step ${e.step} did not run`);
      if (e.metric === 'time_to_detect') {
        const v = timeToDetect(timeline, step);
        return result(`time to detect ${e.step} <= ${e.max} ms`, v !== undefined && v <= e.max, v ?? null, `was ${msText(v)} (${step.targets.join(', ')} left the passing set)`);
      }
      if (e.metric === 'time_to_recover') {
        const v = timeToRecover(timeline, step);
        return result(`time to recover ${e.step} <= ${e.max} ms`, v !== undefined && v <= e.max, v ?? null, `was ${msText(v)} (${step.targets.join(', ')} ready and passing again)`);
      }
      if (e.metric === 'evicted') {
        const v = timeToEvict(timeline, step);
        return result(`${e.step}: every target evicted within ${e.max} ms`, v !== undefined && v <= e.max, v ?? null, `was ${msText(v)} (${step.targets.join(', ')})`);
      }
      if (e.metric === 'not_evicted') {
        const gone = evictedTargets(timeline, step);
        return result(`${e.step}: no target evicted`, gone.length === 0, gone.length, gone.length === 0 ? `all ${step.targets.length} kept their registration` : `evicted: ${gone.join(', ')}`);
      }
      const n = restartsDuring(timeline, step);
      return result(`restarts after ${e.step} >= ${e.min}`, n >= e.min, n, `was ${n}`);
    }
    case 'passing': {
      const window = windowOf(timeline, e.during);
      const samples = window ? samplesIn(timeline, window) : [];
      if (samples.length === 0) return result(`passing ${e.service} during ${e.during}`, false, null, 'no registry samples in the window');
      const counts = samples.map((s) => passingCount(s, e.service));
      const min = Math.min(...counts);
      const last = counts.at(-1)!;
      const parts: string[] = [];
      let ok = true;
      if (e.min !== undefined) {
        parts.push(`>= ${e.min} throughout`);
        ok &&= min >= e.min;
      }
      if (e.max !== undefined) {
        parts.push(`<= ${e.max} at the end`);
        ok &&= last <= e.max;
      }
      return result(`passing ${e.service} during ${e.during} ${parts.join(', ')}`, ok, e.min !== undefined ? min : last, `fewest ${min}, at the end ${last}`);
    }
    case 'leaders': {
      const window = windowOf(timeline, e.during);
      if (!window) return result(`leaders of ${e.key} during ${e.during}`, false, null, `step ${e.during} did not run`);
      const { most, atEnd, mostWho } = leadersIn(timeline, e.key, window);
      const parts: string[] = [];
      let ok = true;
      if (e.max !== undefined) {
        parts.push(`<= ${e.max} at any moment`);
        ok &&= most <= e.max;
      }
      if (e.min !== undefined) {
        parts.push(`>= ${e.min} at the end`);
        ok &&= atEnd >= e.min;
      }
      return result(`leaders of ${e.key} during ${e.during} ${parts.join(', ')}`, ok, e.max !== undefined ? most : atEnd, `most ${most}${most > 1 ? ` (${mostWho.join(', ')})` : ''}, at the end ${atEnd}`);
    }
    case 'time_to_new_leader':
    case 'time_to_step_down': {
      const step = timeline.steps.find((s) => s.id === e.step);
      if (!step) return result(`${e.metric} of ${e.step}`, false, null, `step ${e.step} did not run`);
      if (e.metric === 'time_to_new_leader') {
        const v = timeToNewLeader(timeline, step, e.key);
        return result(`time to a new leader of ${e.key} after ${e.step} <= ${e.max} ms`, v !== undefined && v <= e.max, v ?? null, `was ${msText(v)}`);
      }
      const v = timeToStepDown(timeline, step, e.key);
      return result(`time for ${step.targets.join(', ')} to step down after ${e.step} <= ${e.max} ms`, v !== undefined && v <= e.max, v ?? null, `was ${msText(v)}`);
    }
    case 'registry_writes':
    case 'time_to_writable':
    case 'registry_leaders':
    case 'log_lines':
      return evaluateClusterExpectation(e, timeline);
    case 'views_diverged':
    case 'time_to_converge':
    case 'registrations_accepted':
    case 'time_listed':
      return evaluateMemberExpectation(e, timeline);
    case 'canary':
    case 'canary_error_rate':
    case 'traffic_share':
      return evaluateCanary(e, timeline);
    case 'self_preservation': {
      const window = windowOf(timeline, e.during);
      const samples = window ? samplesIn(timeline, window) : [];
      const engaged = samples.some((s) => s.selfPreservation === true);
      return result(`self-preservation ${e.engaged ? 'engaged' : 'not engaged'} during ${e.during}`, engaged === e.engaged, engaged ? 1 : 0, engaged ? 'engaged' : 'never engaged');
    }
  }
}

/** The hypothesis on one window: one result per probe (availability, p99, passing). */
export function evaluateSteadyState(
  hypothesis: SteadyState,
  timeline: Timeline,
  window: [number, number] | undefined,
  phase: 'before' | 'after',
  defaultLoad: string | undefined,
): ExpectationResult[] {
  if (!window) return [{ label: `steady state ${phase}`, ok: false, value: null, detail: 'the window was not reached' }];
  const out: ExpectationResult[] = [];
  const firstFault = Math.min(...timeline.steps.map((s) => s.startAt));
  const stats = requestStats(timeline.requests, window, defaultLoad, phase === 'before' && Number.isFinite(firstFault) ? firstFault : undefined);
  if (hypothesis.availability !== undefined) {
    const ok = stats.sent > 0 && stats.availability >= hypothesis.availability;
    out.push({ label: `steady state ${phase}: availability >= ${hypothesis.availability}%`, ok, value: Number.isNaN(stats.availability) ? null : stats.availability, detail: `was ${pct(stats.availability)} (${stats.ok}/${stats.sent})` });
  }
  if (hypothesis.p99 !== undefined) {
    out.push({ label: `steady state ${phase}: p99 <= ${hypothesis.p99} ms`, ok: stats.sent > 0 && stats.p99 <= hypothesis.p99, value: stats.p99, detail: `was ${stats.p99.toFixed(1)} ms` });
  }
  if (hypothesis.passing) {
    const { service, min } = hypothesis.passing;
    const samples = samplesIn(timeline, window);
    const fewest = samples.length === 0 ? 0 : Math.min(...samples.map((s) => passingCount(s, service)));
    out.push({ label: `steady state ${phase}: ${service} passing >= ${min}`, ok: samples.length > 0 && fewest >= min, value: fewest, detail: `fewest ${fewest}` });
  }
  return out;
}
