import { render, cleanup } from 'ink-testing-library';
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SpanRecord, TraceDetail } from '../../runner/engine/api.ts';
import { Dashboard } from '../../runner/tui/dashboard.ts';
import { FakeOrchestrator } from './fake-orchestrator.ts';
import { Keys, waitFor } from './wait-for.ts';

const h = React.createElement;
afterEach(() => cleanup());

function trace(id: string, startMs: number, failed: boolean): TraceDetail {
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
      span('2'.repeat(16), '1'.repeat(16), failed ? 'greeter-srv-2/inbound' : 'greeter-srv-1/inbound', 'micro-faults', 10, 100, failed ? { error: 'connection closed before an answer' } : {}),
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
