import React, { useEffect, useState } from 'react';
import type { OrchestratorApi, ScenarioView, TraceDetail, TraceSummary } from '../../engine/api.ts';
import { fitLine, seg, titleLine, type Line } from '../lines/line.ts';
import { scenarioTraceListLines, scenarioTraceRows } from '../lines/scenario-lines.ts';
import { traceListLines, waterfallLines } from '../lines/trace-lines.ts';
import type { TraceSource } from '../ui-state.ts';
import { LinesView } from './lines-view.ts';

/** How often the pane asks the engine for the recent traces (and the selected one's spans). */
const POLL_MS = 1000;

/** The answer of trace(id) for the selected trace: its detail, or undefined when the engine no longer keeps it. */
export interface FetchedTrace {
  id: string;
  detail: TraceDetail | undefined;
}

/**
 * The list over the top third (a window around the selection), the selected trace's waterfall below.
 * `list(start, end, selected)` draws rows start..end-1 of `count`.
 */
function listAndWaterfall(
  title: Line,
  count: number,
  list: (start: number, end: number, selected: number) => Line[],
  selectedId: string | undefined,
  fetched: FetchedTrace | undefined,
  o: { width: number; height: number; index: number },
): Line[] {
  const listRows = Math.max(3, Math.min(count, Math.floor((o.height - 1) / 3)));
  const index = Math.min(o.index, count - 1);
  const start = Math.max(0, Math.min(index - Math.floor(listRows / 2), count - listRows));
  const rows = list(start, Math.min(count, start + listRows), index - start);
  const rest = Math.max(0, o.height - 1 - rows.length - 1);
  const waterfall =
    !fetched || fetched.id !== selectedId
      ? [fitLine([seg('  loading the trace...', 'dim')], o.width)]
      : fetched.detail
        ? waterfallLines(fetched.detail, { width: o.width })
        : [fitLine([seg(`  trace ${selectedId} is no longer kept`, 'warn')], o.width)];
  return [title, ...rows, titleLine('Waterfall', o.width), ...waterfall.slice(0, rest)].slice(0, Math.max(1, o.height));
}

/**
 * `t`: the recent traces (newest first; failed in red, slow in yellow, with what explains them) over
 * the top third, the selected one's waterfall below. Reads through OrchestratorApi.traces()/trace(), so
 * it works the same on a local engine and over the control API (`micro-dev ui`).
 */
export function tracesPaneLines(
  traces: readonly TraceSummary[] | undefined,
  fetched: FetchedTrace | undefined,
  o: { width: number; height: number; index: number },
): Line[] {
  const title = titleLine('Traces', o.width, [seg(' ↑↓ select  t/esc back  e scenario  newest first', 'dim')]);
  if (traces === undefined) return [title, fitLine([seg('  loading...', 'dim')], o.width)];
  if (traces.length === 0) {
    return [title, fitLine([seg('  no traces yet: every request through the gateway, proxy or web gateway is traced (telemetry.sample_ratio: a share of them)', 'dim')], o.width)];
  }
  const selectedId = traces[Math.min(o.index, traces.length - 1)]?.traceId;
  const list = (start: number, end: number, selected: number) => traceListLines(traces.slice(start, end), { width: o.width, selected });
  return listAndWaterfall(title, traces.length, list, selectedId, fetched, o);
}

/**
 * `e`: the traces the scenario's steps list (failed and slowest, with the hop and fault that explain
 * them), the selected one's waterfall below; read with OrchestratorApi.trace(), which keeps them after the
 * scenario's own topology is gone.
 */
export function scenarioTracesPaneLines(
  scenario: ScenarioView | undefined,
  fetched: FetchedTrace | undefined,
  o: { width: number; height: number; index: number },
): Line[] {
  const title = titleLine(scenario ? `Scenario ${scenario.name}: step traces` : 'Scenario step traces', o.width, [seg(' ↑↓ select  e/esc back  t recent', 'dim')]);
  const rows = scenarioTraceRows(scenario);
  if (rows.length === 0) {
    return [title, fitLine([seg('  no step traces: a scenario lists its failed and slowest traces per step when it ends', 'dim')], o.width)];
  }
  const selectedId = rows[Math.min(o.index, rows.length - 1)]?.trace.traceId;
  const list = (start: number, end: number, selected: number) => scenarioTraceListLines(rows.slice(start, end), { width: o.width, selected });
  return listAndWaterfall(title, rows.length, list, selectedId, fetched, o);
}

export function TracesPane(p: {
  api: OrchestratorApi;
  source: TraceSource;
  scenario: ScenarioView | undefined;
  index: number;
  width: number;
  height: number;
  noColor: boolean;
}) {
  const [traces, setTraces] = useState<TraceSummary[] | undefined>(undefined);
  const [fetched, setFetched] = useState<FetchedTrace | undefined>(undefined);
  const { api, source } = p;
  useEffect(() => {
    if (source !== 'recent') return;
    let live = true;
    const poll = () =>
      void api.traces({ limit: 200 }).then(
        (t) => live && setTraces(t),
        () => live && setTraces([]),
      );
    poll();
    const timer = setInterval(poll, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, source]);
  const rows = source === 'scenario' ? scenarioTraceRows(p.scenario).map((r) => r.trace.traceId) : (traces ?? []).map((t) => t.traceId);
  const selectedId = rows[Math.min(p.index, rows.length - 1)];
  useEffect(() => {
    if (!selectedId) return;
    let live = true;
    void api.trace(selectedId).then(
      (detail) => live && setFetched({ id: selectedId, detail }),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, selectedId, traces]);
  const lines = source === 'scenario' ? scenarioTracesPaneLines(p.scenario, fetched, p) : tracesPaneLines(traces, fetched, p);
  return React.createElement(LinesView, { lines, noColor: p.noColor });
}
