/**
 * stepTraces: per scenario step, the failed and the slowest traces that started while the step's fault
 * was on, each with the line that explains it (the hop and the fault: `greeter-srv-2/inbound: down ->
 * call timeout ... -> retried on greeter-srv-1`). Read from the engine's trace store through
 * OrchestratorApi before the topology stops; the reports print them under their step.
 */
import type { OrchestratorApi, StepTraceView, TraceDetail, TraceSummary } from '../engine/api.ts';
import type { StepRecord } from './timeline.ts';

export interface TraceRef {
  traceId: string;
  name: string;
  durationMs: number;
  failed: boolean;
  explanation?: string;
}

export interface StepTraces {
  step: string;
  /** Failed traces that started during the step, newest first (at most `perStep`). */
  failed: TraceRef[];
  /** The slowest traces that started during the step (at most `perStep`), failed ones included. */
  slowest: TraceRef[];
}

function ref(t: TraceSummary): TraceRef {
  return {
    traceId: t.traceId,
    name: t.name,
    durationMs: Math.round(t.durationMs * 10) / 10,
    failed: t.failed,
    ...(t.explanation ? { explanation: t.explanation } : {}),
  };
}

/**
 * `wallMs(t)`: the epoch ms of a timeline offset; a step still on at the end (endAt 0) runs to `endAt`.
 */
export async function stepTraces(
  api: Pick<OrchestratorApi, 'traces'>,
  steps: readonly StepRecord[],
  o: { wallMs: (t: number) => number; endAt: number; perStep?: number },
): Promise<StepTraces[]> {
  const perStep = o.perStep ?? 3;
  const out: StepTraces[] = [];
  for (const step of steps) {
    const window = { sinceMs: o.wallMs(step.startAt), untilMs: o.wallMs(step.endAt > step.startAt ? step.endAt : o.endAt) };
    const failed = await api.traces({ ...window, failed: true, limit: perStep });
    const all = await api.traces({ ...window, limit: 1000 });
    const slowest = [...all].sort((a, b) => b.durationMs - a.durationMs).slice(0, perStep);
    out.push({ step: step.id, failed: failed.map(ref), slowest: slowest.map(ref) });
  }
  return out;
}

/** A step's traces once each, failed ones first (then the slowest), as the dashboard lists them. */
export function stepTraceList(s: StepTraces): StepTraceView[] {
  const seen = new Set<string>();
  return [...s.failed, ...s.slowest].filter((t) => !seen.has(t.traceId) && seen.add(t.traceId));
}

/** Every span of the traces the steps list (read before the stage's topology stops); those gone are left out. */
export async function stepTraceDetails(api: Pick<OrchestratorApi, 'trace'>, steps: readonly StepTraces[]): Promise<TraceDetail[]> {
  const ids = new Set(steps.flatMap((s) => stepTraceList(s).map((t) => t.traceId)));
  const details = await Promise.all([...ids].map((id) => api.trace(id).catch(() => undefined)));
  return details.filter((d): d is TraceDetail => d !== undefined);
}

/** `  trace 4bf92f3577b3  FAIL  2003 ms  GET /greeter/say/hello  <explanation>` lines for one step. */
export function stepTraceLines(s: StepTraces, indent = '       '): string[] {
  const lines: string[] = [];
  for (const t of stepTraceList(s)) {
    lines.push(`${indent}trace ${t.traceId.slice(0, 12)}  ${t.failed ? 'FAIL' : 'slow'}  ${Math.round(t.durationMs)} ms  ${t.name}${t.explanation ? `  ${t.explanation}` : ''}`);
  }
  return lines;
}
