import { render, cleanup } from 'ink-testing-library';
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScenarioView, SpanRecord, TraceDetail } from '../../runner/engine/api.ts';
import { Dashboard } from '../../runner/tui/dashboard.ts';
import { FakeOrchestrator } from './fake-orchestrator.ts';
import { Keys, waitFor } from './wait-for.ts';

const h = React.createElement;
afterEach(() => cleanup());

function trace(id: string, startMs: number, failed: boolean, events: SpanRecord['events'] = []): TraceDetail {
  const traceId = id.repeat(32 / id.length);
  const span = (spanId: string, parentId: string | undefined, name: string, service: string, at: number, ms: number, over: Partial<SpanRecord> = {}): SpanRecord => ({
    traceId, spanId, ...(parentId ? { parentId } : {}), name, kind: 'internal', service, startMs: startMs + at, durationMs: ms, attributes: {}, events: [], ...over,
  });
  return {
    summary: {
      traceId, name: 'GET /greeter/say/hello', startMs, durationMs: 120, spans: 2, services: ['micro-api'], failed, slow: false,
      ...(failed ? { explanation: 'greeter-srv-2/inbound: down -> call timeout' } : {}),
    },
    spans: [
      span('1'.repeat(16), undefined, 'GET /greeter/say/hello', 'micro-api', 0, 120, { kind: 'server' }),
      span('2'.repeat(16), '1'.repeat(16), failed ? 'greeter-srv-2/inbound' : 'greeter-srv-1/inbound', 'micro-faults', 10, 100, { events, ...(failed ? { error: 'connection closed before an answer' } : {}) }),
    ],
    droppedSpans: 0,
  };
}

describe('Dashboard traces view', () => {
  it('t shows the recent traces and the newest one\'s waterfall; arrows pick another; esc goes back', async () => {
    const api = new FakeOrchestrator();
    api.traceDetails = [trace('a1', 1_000, false), trace('b2', 2_000, true)];
    let quits = 0;
    const app = render(h(Dashboard, { api, onQuit: () => quits++, noColor: true, now: () => 192_000 }));
    const frame = () => app.lastFrame() ?? '';
    app.stdin.write('t');
    const first = await waitFor(() => (frame().includes('x connection closed before an answer') ? frame() : undefined), 'the newest trace\'s waterfall');
    expect(first).toContain('─ Traces');
    // newest first, selected, with what explains it
    expect(first).toMatch(/> \d\d:\d\d:\d\d +120ms FAIL +2 b2b2b2b2b2b2 GET \/greeter\/say\/hello {2}greeter-srv-2\/inbound: down -> call/);
    expect(first).toMatch(/ {2}\d\d:\d\d:\d\d +120ms ok +2 a1a1a1a1a1a1 GET/);
    expect(first).toMatch(/greeter-srv-2\/inbound \[micro-faults\] +100ms \|/);
    app.stdin.write(Keys.down);
    const second = await waitFor(() => (frame().includes('greeter-srv-1/inbound [micro-faults]') ? frame() : undefined), 'the older trace\'s waterfall');
    expect(second).toContain(`trace ${'a1'.repeat(16)} ok`);
    expect(second).not.toContain('x connection closed');
    app.stdin.write(Keys.escape);
    await waitFor(() => (!frame().includes('─ Traces') && frame().includes('greeter-srv-1') ? true : undefined), 'the dashboard back');
    expect(quits).toBe(0);
  });

  it('says when there is nothing traced yet', async () => {
    const api = new FakeOrchestrator();
    const app = render(h(Dashboard, { api, onQuit: () => {}, noColor: true, now: () => 192_000 }));
    app.stdin.write('t');
    await waitFor(() => ((app.lastFrame() ?? '').includes('no traces yet') ? true : undefined), 'the empty message');
  });
});

describe('Dashboard scenario step traces', () => {
  const failed = trace('c3', 3_000, true);
  const slow = trace('d4', 4_000, false, [{ name: 'toxic latency', atMs: 0, attributes: { 'micro.toxic.latency': 200 } }]);
  slow.summary.explanation = 'greeter-srv-1/inbound: latency 200 ms';
  const ref = (t: TraceDetail) => ({ traceId: t.summary.traceId, name: t.summary.name, durationMs: t.summary.durationMs, failed: t.summary.failed, explanation: t.summary.explanation! });
  const view: ScenarioView = {
    name: 'kill-and-slow',
    startedAt: 0,
    steps: [
      { at: 1000, label: 'kill-2: kill greeter-srv-2', state: 'done', traces: [ref(failed)] },
      { at: 3000, label: 'slow: latency greeter-srv-1', state: 'done', traces: [ref(slow)] },
      { at: 5000, label: 'heal: restart greeter-srv-2', state: 'done' },
    ],
    expectations: [{ label: 'availability during kill-2 >= 90%', state: 'pass' }],
  };

  it('the scenario pane counts each step\'s traces; e lists them with their explanation and the waterfall; arrows, t and esc', async () => {
    const api = new FakeOrchestrator();
    // the engine's recent traces are others: the step traces are read by id (the scenario's topology is gone)
    api.traceDetails = [trace('a1', 1_000, false), failed, slow];
    const app = render(h(Dashboard, { api, onQuit: () => {}, noColor: true, now: () => 192_000 }));
    const frame = () => app.lastFrame() ?? '';
    api.emit({ type: 'scenario', at: 0, view });
    const pane = await waitFor(() => (frame().includes('Scenario kill-and-slow') ? frame() : undefined), 'the scenario pane');
    expect(pane).toContain('e: 2 step traces');
    expect(pane).toMatch(/done \+1s kill-2: kill greeter-srv-2 {2}1 trace, 1 failed/);
    expect(pane).toMatch(/done \+3s slow: latency greeter-srv-1 {2}1 trace\n/);

    app.stdin.write('e');
    const first = await waitFor(() => (frame().includes('x connection closed before an answer') ? frame() : undefined), 'the failed step trace\'s waterfall');
    expect(first).toContain('─ Scenario kill-and-slow: step traces');
    expect(first).toMatch(/> kill-2 +FAIL +120ms c3c3c3c3c3c3 GET \/greeter\/say\/hello {2}greeter-srv-2\/inbound: down -> call timeo/);
    expect(first).toMatch(/ {2}slow +slow +120ms d4d4d4d4d4d4 GET \/greeter\/say\/hello {2}greeter-srv-1\/inbound: latency 200 ms/);
    expect(first).toContain(`trace ${'c3'.repeat(16)} FAIL`);
    expect(first).not.toContain('a1a1a1a1a1a1'); // not the recent list

    app.stdin.write(Keys.down);
    const second = await waitFor(() => (frame().includes('· toxic latency latency=200') ? frame() : undefined), 'the slow step trace\'s waterfall');
    expect(second).toContain(`trace ${'d4'.repeat(16)} ok`);
    app.stdin.write(Keys.down); // the last one stays selected
    await waitFor(() => (frame().includes(`trace ${'d4'.repeat(16)} ok`) ? true : undefined), 'still the last step trace');

    app.stdin.write('t'); // the recent traces instead
    await waitFor(() => (frame().includes('─ Traces') && frame().includes('a1a1a1a1a1a1') ? true : undefined), 'the recent traces');
    app.stdin.write('e'); // back to the step traces, then e closes
    await waitFor(() => (frame().includes('kill-and-slow: step traces') && frame().includes('> kill-2') ? true : undefined), 'the step traces again');
    app.stdin.write('e');
    await waitFor(() => (!frame().includes('kill-and-slow: step traces') && frame().includes('e: 2 step traces') ? true : undefined), 'the dashboard back');
  });

  it('e says where step traces come from when the scenario has none (yet)', async () => {
    const api = new FakeOrchestrator();
    const app = render(h(Dashboard, { api, onQuit: () => {}, noColor: true, now: () => 192_000 }));
    app.stdin.write('e');
    await waitFor(() => ((app.lastFrame() ?? '').includes('no scenario step traces yet') ? true : undefined), 'the hint');
    expect(app.lastFrame()).not.toContain('Scenario step traces');
  });
});
