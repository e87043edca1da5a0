import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../engine/api.ts';
import { renderSnapshotText } from './render-snapshot-text.ts';

const snapshot: Snapshot = {
  topology: 'greeter',
  startedAt: 0,
  ready: false,
  urls: { gateway: 'http://127.0.0.1:8080', proxy: 'http://127.0.0.1:8081', web: 'http://127.0.0.1:8082', registry: 'http://127.0.0.1:8500' },
  instances: [
    { instance: 'greeter-srv-1', service: 'greeter-srv', tier: 'srv', runtime: 'worker', state: 'ready', address: '127.0.0.1:41001', ref: 'tid:1', restarts: 2, faults: ['latency'], leaseLeftMs: 4000, traffic: { requests: 30, errors: 15, rps: 3, errorRate: 0.5, p50: 120, p99: 250, windowMs: 10_000 } },
    { instance: 'greeter-api-1', service: 'greeter-api', tier: 'api', runtime: 'process', state: 'backoff', restarts: 1, faults: [] },
  ],
  registry: { kind: 'embedded', semantics: 'eureka', address: '127.0.0.1:8500', passing: 1, critical: 1, renewsLastMin: 10, renewThreshold: 8, selfPreservation: false },
  gatewayRps: [1, 2, 3],
};

describe('renderSnapshotText', () => {
  it('shows who holds which lock in the registry pane (full and compact)', () => {
    const locks = [
      { key: 'svc/leader', holder: 'leader-srv-2' },
      { key: 'jobs/nightly', holder: 'greeter-srv-1' },
    ];
    const withLocks = { ...snapshot, registry: { ...snapshot.registry, locks } };
    const text = renderSnapshotText(withLocks, { columns: 100, rows: 30, now: 0 });
    expect(text).toMatch(/lock svc\/leader leader-srv-2/);
    expect(text).toMatch(/lock jobs\/nightly greeter-srv-1/);
    const compact = renderSnapshotText(withLocks, { columns: 79, rows: 20, now: 0 });
    expect(compact).toMatch(/lock svc\/leader leader-srv-2 \+1/);
  });

  it('counts a scenario\'s step traces (no dashboard key: micro-dev status is not interactive)', () => {
    const trace = { traceId: 'a'.repeat(32), name: 'GET /greeter/say/hello', durationMs: 2003, failed: true, explanation: 'greeter-srv-2/inbound: down' };
    const scenario = {
      name: 'kill-one-replica',
      startedAt: 0,
      steps: [{ at: 1000, label: 'kill: kill greeter-srv-2', state: 'done' as const, traces: [trace, { ...trace, traceId: 'b'.repeat(32), failed: false }] }],
      expectations: [{ label: 'availability >= 90%', state: 'pass' as const }],
    };
    const text = renderSnapshotText({ ...snapshot, scenario }, { columns: 100, rows: 30, now: 5000 });
    expect(text).toMatch(/Scenario kill-one-replica .*2 step traces/);
    expect(text).not.toContain('e: 2 step traces');
    expect(text).toMatch(/done \+1s kill: kill greeter-srv-2 {2}2 traces, 1 failed/);
  });

  it('prints every pane in plain text at 100x30', () => {
    const text = renderSnapshotText(snapshot, { columns: 100, rows: 30, now: 65_000 });
    expect(text.includes('\u001b')).toBe(false);
    expect(text).toContain('greeter  starting  up 1m05s');
    expect(text).toContain('registry embedded/eureka 127.0.0.1:8500  gateway http://127.0.0.1:8080');
    expect(text).toMatch(/greeter-srv-1\s+ready\s+latency\s+127\.0\.0\.1:41001\s+tid:1\s+2\s+-\s+4\.0s\s+3\.0\s+50%\s+250ms/);
    expect(text).toMatch(/greeter-api-1\s+backoff/);
    expect(text.indexOf('greeter-api-1')).toBeLessThan(text.indexOf('greeter-srv-1'));
    expect(text).toContain('renews 10/min >= threshold 8');
    expect(text).toContain('self-preservation off');
    expect(text).toContain('▃▆█ 3.0 req/s');
  });

  it('fits the width and the rows, compact below 80 columns', () => {
    for (const [columns, rows] of [[60, 20], [80, 24], [40, 10]]) {
      const lines = renderSnapshotText(snapshot, { columns, rows, now: 0 }).split('\n');
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(columns);
      expect(lines.length).toBeLessThan(rows);
    }
    const compact = renderSnapshotText(snapshot, { columns: 60, rows: 20, now: 0 });
    expect(compact).toMatch(/srv\s+greeter-srv-1\s+ready/);
    expect(compact).toContain('reg passing 1  critical 1');
    expect(compact).not.toContain('INSTANCE');
  });

  it('is pure: the same input gives the same text', () => {
    const a = renderSnapshotText(snapshot, { columns: 90, rows: 30, now: 1 });
    expect(renderSnapshotText(structuredClone(snapshot), { columns: 90, rows: 30, now: 1 })).toBe(a);
  });
});
