import React, { useEffect, useState } from 'react';
import type { OrchestratorApi, TraceDetail, TraceSummary } from '../../engine/api.ts';
import { fitLine, seg, titleLine, type Line } from '../lines/line.ts';
import { traceListLines, waterfallLines } from '../lines/trace-lines.ts';
import { LinesView } from './lines-view.ts';

/** How often the pane asks the engine for the recent traces (and the selected one's spans). */
const POLL_MS = 1000;

/**
 * `t`: the recent traces (newest first; failed in red, slow in yellow, with what explains them) over
 * the top third, the selected one's waterfall below. Reads through OrchestratorApi.traces()/trace(), so
 * it works the same on a local engine and over the control API (`micro-dev ui`).
 */
export function tracesPaneLines(
  traces: readonly TraceSummary[] | undefined,
  detail: TraceDetail | undefined,
  o: { width: number; height: number; index: number },
): Line[] {
  const title = titleLine('Traces', o.width, [seg(' ↑↓ select  t/esc back  newest first', 'dim')]);
  if (traces === undefined) return [title, fitLine([seg('  loading...', 'dim')], o.width)];
  if (traces.length === 0) {
    return [title, fitLine([seg('  no traces yet: every request through the gateway, proxy or web gateway is traced', 'dim')], o.width)];
  }
  const listRows = Math.max(3, Math.min(traces.length, Math.floor((o.height - 1) / 3)));
  const index = Math.min(o.index, traces.length - 1);
  const start = Math.max(0, Math.min(index - Math.floor(listRows / 2), traces.length - listRows));
  const list = traceListLines(traces.slice(start, start + listRows), { width: o.width, selected: index - start });
  const rest = Math.max(0, o.height - 1 - list.length - 1);
  const waterfall = detail && detail.summary.traceId === traces[index]?.traceId ? waterfallLines(detail, { width: o.width }) : [fitLine([seg('  loading the trace...', 'dim')], o.width)];
  return [title, ...list, titleLine('Waterfall', o.width), ...waterfall.slice(0, rest)].slice(0, Math.max(1, o.height));
}

export function TracesPane(p: { api: OrchestratorApi; index: number; width: number; height: number; noColor: boolean }) {
  const [traces, setTraces] = useState<TraceSummary[] | undefined>(undefined);
  const [detail, setDetail] = useState<TraceDetail | undefined>(undefined);
  const { api } = p;
  useEffect(() => {
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
  }, [api]);
  const selectedId = traces?.[Math.min(p.index, traces.length - 1)]?.traceId;
  useEffect(() => {
    if (!selectedId) return;
    let live = true;
    void api.trace(selectedId).then(
      (d) => live && setDetail(d),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, selectedId, traces]);
  return React.createElement(LinesView, { lines: tracesPaneLines(traces, detail, p), noColor: p.noColor });
}
