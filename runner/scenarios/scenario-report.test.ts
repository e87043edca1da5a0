import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from './run-scenario.ts';
import { exitCodeOf, jsonReport, junitReport, summaryTable } from './scenario-report.ts';

const result = (name: string, verdict: ScenarioResult['verdict'], checks: [string, boolean][]): ScenarioResult => ({
  name,
  description: '',
  seed: 7,
  verdict,
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1500,
  steps: [{ id: 'crash', fault: 'kill', targets: ['greeter-srv-1'], targetIds: ['x'], startAt: 1000, endAt: 3000 }],
  loads: [{ name: 'api', through: 'gateway', skipped: 0, sent: 10, ok: 9, failed: 1, availability: 90, p50: 3, p99: 9, failures: [{ reason: 'ECONNREFUSED', count: 1 }] }],
  hypothesis: { before: [{ label: 'steady state before: availability >= 99%', ok: true, value: 100, detail: 'was 100.00% (5/5)' }], after: [] },
  expectations: checks.map(([label, ok]) => ({ label, ok, value: 1, detail: ok ? 'fine' : 'was 2 <"&>' })),
  rollbacks: [],
  ...(verdict === 'error' ? { error: 'topology did not start' } : {}),
  timeline: { requests: [{ load: 'api', at: 1, ms: 2, ok: true, status: 200 }], samples: [], steps: [], endAt: 5 },
});

describe('scenario reports', () => {
  const held = result('a', 'held', [['time to recover crash <= 3000 ms', true]]);
  const failed = result('b', 'failed', [['p99 during crash (api) <= 1 ms', false], ['restarts after crash >= 1', true]]);
  const error = result('c', 'error', []);

  it('exit code: 0 all held, 1 one failed, 2 one could not run', () => {
    expect(exitCodeOf([held])).toBe(0);
    expect(exitCodeOf([held, failed])).toBe(1);
    expect(exitCodeOf([held, failed, error])).toBe(2);
  });

  it('JUnit: one suite per scenario, one case per check, failures and errors escaped', () => {
    const xml = junitReport([held, failed, error]);
    expect(xml).toContain('<testsuites name="micro-dev scenarios" tests="7" failures="1" errors="1" time="4.500">');
    expect(xml).toContain('<testsuite name="b" tests="3" failures="1" errors="0" time="1.500" timestamp="2026-01-01T00:00:00.000Z">');
    expect(xml).toContain(
      '<testcase classname="scenario.b" name="p99 during crash (api) &lt;= 1 ms" time="0">\n      <failure message="p99 during crash (api) &lt;= 1 ms: was 2 &lt;&quot;&amp;&gt;">was 2 &lt;&quot;&amp;&gt;</failure>',
    );
    expect(xml).toContain('<testcase classname="scenario.c" name="run" time="1.500">\n      <error message="topology did not start"/>');
    expect(xml.match(/<testcase /g)).toHaveLength(7);
  });

  it('names, under a step, the instances no step targets that left the passing set meanwhile', () => {
    const ready = (instance: string) => ({ instance, service: instance.replace(/-\d+$/, ''), state: 'ready' as const, registryId: `${instance}-id`, restarts: 0 });
    const withCollateral: ScenarioResult = {
      ...failed,
      timeline: {
        ...failed.timeline,
        samples: [1500, 1530].map((at) => ({ at, instances: [ready('greeter-srv-1'), ready('greeter-api-1')], leases: { 'greeter-srv-1-id': 'critical' as const, 'greeter-api-1-id': 'critical' as const } })),
      },
    };
    const text = summaryTable([withCollateral]);
    expect(text).toContain('  step crash        kill             greeter-srv-1            +1.00s .. +3.00s\n       also out of the passing set (no step targets it): greeter-api-1 critical +1.50s .. +1.53s\n');
    expect(summaryTable([failed])).not.toContain('also out of the passing set');
  });

  it('JSON keeps every field and the timeline, and parses back', () => {
    const parsed = JSON.parse(jsonReport([held, failed]));
    expect(parsed.exitCode).toBe(1);
    expect(parsed.scenarios[1]).toEqual(JSON.parse(JSON.stringify(failed)));
    expect(JSON.parse(jsonReport([held], { withTimeline: false })).scenarios[0].timeline).toBeUndefined();
  });

  it('lists each step\'s failed and slowest traces with what explains them (terminal, JSON, JUnit system-out)', () => {
    const withTraces: ScenarioResult = {
      ...failed,
      traces: [
        {
          step: 'crash',
          failed: [{ traceId: 'a1'.repeat(16), name: 'GET /greeter/say/hello', durationMs: 2003.4, failed: true, explanation: 'greeter-srv-2/inbound: down -> call timeout -> retried on greeter-srv-1' }],
          slowest: [
            { traceId: 'a1'.repeat(16), name: 'GET /greeter/say/hello', durationMs: 2003.4, failed: true, explanation: 'greeter-srv-2/inbound: down -> call timeout -> retried on greeter-srv-1' },
            { traceId: 'b2'.repeat(16), name: 'GET /greeter/say/hello', durationMs: 310, failed: false, explanation: 'greeter-srv-1/inbound: latency 300 ms -> 310 ms' },
          ],
        },
      ],
    };
    const table = summaryTable([withTraces]).split('\n');
    const step = table.findIndex((l) => l.startsWith('  step crash'));
    expect(table.slice(step + 1, step + 3)).toEqual([
      '       trace a1a1a1a1a1a1  FAIL  2003 ms  GET /greeter/say/hello  greeter-srv-2/inbound: down -> call timeout -> retried on greeter-srv-1',
      '       trace b2b2b2b2b2b2  slow  310 ms  GET /greeter/say/hello  greeter-srv-1/inbound: latency 300 ms -> 310 ms',
    ]);
    expect(JSON.parse(jsonReport([withTraces])).scenarios[0].traces).toEqual(withTraces.traces);
    const xml = junitReport([withTraces]);
    expect(xml).toContain('<system-out>failed and slowest traces per step:\nstep crash:\n  trace a1a1a1a1a1a1  FAIL  2003 ms  GET /greeter/say/hello  greeter-srv-2/inbound: down -&gt; call timeout -&gt; retried on greeter-srv-1\n');
    expect(junitReport([failed])).not.toContain('traces per step');
  });

  it('the summary table ends with one line per scenario', () => {
    const table = summaryTable([held, failed]);
    expect(table).toContain('  FAIL p99 during crash (api) <= 1 ms: was 2 <"&>');
    expect(table).toContain('       failed: 1x ECONNREFUSED');
    expect(table.trimEnd().split('\n').slice(-3)).toEqual(['scenario  verdict  checks  seconds', 'a         held     2/2     1.5', 'b         failed   2/3     1.5']);
  });

  it('says when the load skipped sends over its concurrency cap (availability counts only what was sent)', () => {
    expect(summaryTable([held])).not.toContain('skipped:');
    const capped: ScenarioResult = { ...held, loads: [{ ...held.loads[0]!, skipped: 31 }] };
    expect(summaryTable([capped])).toContain("       skipped: 31 sends over the load's concurrency cap, not counted (the generator's limit: raise load.concurrency)");
  });

  it('unjudged checks: exit 2 (never a pass), skip in the summary, <skipped> in JUnit, not counted as failures', () => {
    const partial: ScenarioResult = {
      ...result('d', 'unjudged', [['availability during crash (api) >= 99%', true]]),
      against: 'http://127.0.0.1:9/ (observing only)',
      notApplied: [{ step: 'crash', fault: 'kill', reason: 'no fault driver' }],
    };
    partial.expectations.push({ label: 'time to recover crash <= 3000 ms', ok: false, value: null, detail: 'not judged: step crash was not applied: no fault driver', unjudged: 'step crash was not applied: no fault driver' });
    expect(exitCodeOf([held, partial])).toBe(2);
    expect(exitCodeOf([failed, partial])).toBe(2);
    const text = summaryTable([partial]);
    expect(text).toContain('  against http://127.0.0.1:9/ (observing only)');
    expect(text).toContain('  step crash        kill             not applied: no fault driver');
    expect(text).toContain('  skip time to recover crash <= 3000 ms: not judged: step crash was not applied: no fault driver');
    const xml = junitReport([partial]);
    expect(xml).toContain('failures="0" errors="0" skipped="1"');
    expect(xml).toContain('<skipped message="not judged: step crash was not applied: no fault driver"/>');
  });
});
