/**
 * Leadership verdicts on a Timeline (pure): who believed they led `key`, and when. Beliefs come from the
 * instances' own log lines, so a partitioned leader that has not noticed yet still counts: that is what
 * split brain means.
 *
 *   leadership records --leadersAt(t)--> set of believers --maxLeaders(window)--> most at one moment
 */
import type { LeaderRecord, StepRecord, Timeline } from './timeline.ts';

/** The `leader <key>: elected (...)` / `leader <key>: stepped down (...)` lines the kit's LeaderElection logs. */
export function parseLeaderLine(line: string): { key: string; leader: boolean } | undefined {
  const m = /^leader (\S+): (elected|stepped down)\b/.exec(line.trim());
  return m ? { key: m[1]!, leader: m[2] === 'elected' } : undefined;
}

function records(timeline: Timeline, key: string): LeaderRecord[] {
  return (timeline.leadership ?? []).filter((r) => r.key === key);
}

/** Instances believing they lead `key` right after time t. */
export function leadersAt(timeline: Timeline, key: string, t: number): Set<string> {
  const out = new Set<string>();
  for (const r of records(timeline, key)) {
    if (r.at > t) break;
    if (r.leader) out.add(r.instance);
    else out.delete(r.instance);
  }
  return out;
}

/** The most simultaneous believers within [from, to), and the believers at `to`. */
export function leadersIn(timeline: Timeline, key: string, [from, to]: [number, number]): { most: number; atEnd: number; mostWho: string[] } {
  const current = leadersAt(timeline, key, from);
  let most = current.size;
  let mostWho = [...current];
  for (const r of records(timeline, key)) {
    if (r.at <= from || r.at >= to) continue;
    if (r.leader) current.add(r.instance);
    else current.delete(r.instance);
    if (current.size > most) {
      most = current.size;
      mostWho = [...current];
    }
  }
  return { most, atEnd: leadersAt(timeline, key, to).size, mostWho };
}

/** From the fault until an instance that is not a target logs `elected`; undefined if none did. */
export function timeToNewLeader(timeline: Timeline, step: StepRecord, key: string): number | undefined {
  const r = records(timeline, key).find((x) => x.leader && x.at >= step.startAt && !step.targets.includes(x.instance));
  return r ? r.at - step.startAt : undefined;
}

/** From the fault until no target believes it leads (0 when none did at the fault); undefined if one still does. */
export function timeToStepDown(timeline: Timeline, step: StepRecord, key: string): number | undefined {
  const leading = [...leadersAt(timeline, key, step.startAt)].filter((i) => step.targets.includes(i));
  if (leading.length === 0) return 0;
  let last = step.startAt;
  for (const instance of leading) {
    const r = records(timeline, key).find((x) => x.instance === instance && !x.leader && x.at >= step.startAt);
    if (!r) return undefined;
    last = Math.max(last, r.at);
  }
  return last - step.startAt;
}
