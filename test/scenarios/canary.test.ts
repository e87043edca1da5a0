/**
 * The built-in canary drills end to end (the CLI as a user runs it, real worker threads, the embedded
 * registry, the gateway and the proxy): a healthy v2 is promoted, a broken v2 rolled back, and both
 * decisions are read back from the JSON report and checked against the recorded traffic.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../runner/scenarios/run-scenario.ts';
import { trafficShare } from '../../runner/scenarios/canary-math.ts';
import { runScenarioCli } from './scenario-cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'micro-dev-canary-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('canary drills', () => {
  it('canary promotes a healthy v2 stage by stage; canary-rollback rolls a broken v2 back after its first stage', { timeout: 180_000 }, async () => {
    const json = join(dir, 'canary.json');
    const { code, output } = await runScenarioCli(['run', 'canary', 'canary-rollback', '--json', json]);
    expect(code, output).toBe(0);
    const { scenarios } = JSON.parse(await readFile(json, 'utf8')) as { scenarios: ScenarioResult[] };
    const [good, bad] = scenarios;

    expect(good!.verdict).toBe('held');
    const promoted = good!.steps.find((s) => s.id === 'release')!.canary!;
    expect(promoted).toMatchObject({ service: 'go.micro.srv.greeter', newVersion: 'v2', oldVersion: 'v1', outcome: 'promoted', drained: true });
    expect(promoted.stages.map((s) => s.share)).toEqual([10, 50, 100]);
    for (const s of promoted.stages) {
      expect(s.requests).toBeGreaterThanOrEqual(10);
      expect(s.errors).toBe(0);
    }
    // The shift is real: v2 served calls faster at 50 % than at 10 % (a stage may last longer than its hold
    // on a slow machine, so rates, not counts), and after the promotion everything (both loads) reached v2 only.
    const rate = (s: { requests: number; from: number; to: number }) => s.requests / (s.to - s.from);
    expect(rate(promoted.stages[1]!)).toBeGreaterThan(rate(promoted.stages[0]!));
    expect(trafficShare(good!.timeline, 'greeter-srv-v2', 'greeter-srv', good!.timeline.after!).share).toBe(100);
    expect(output).toMatch(/^\[canary\] canary release: v2 promoted; v1's last call finished \d+ ms later$/m);

    expect(bad!.verdict).toBe('held');
    const rolled = bad!.steps.find((s) => s.id === 'release')!.canary!;
    expect(rolled).toMatchObject({ outcome: 'rolled_back', drained: true });
    expect(rolled.stages).toHaveLength(1);
    expect(rolled.stages[0]!.requests).toBeGreaterThan(0);
    // Every call that reached the broken v2 failed there, and the callers still got answers (one retry on v1).
    expect(rolled.stages[0]!.errors).toBe(rolled.stages[0]!.requests);
    const api = bad!.expectations.find((e) => e.label.startsWith('availability during release (api)'))!;
    expect(api.value).toBeGreaterThanOrEqual(95);
    expect(trafficShare(bad!.timeline, 'greeter-srv-v2', 'greeter-srv', bad!.timeline.after!)).toMatchObject({ share: 0, mine: 0 });
  });

  it('naming a canary drill with --service says why it cannot apply (exit 2)', async () => {
    const { code, output } = await runScenarioCli(['run', 'canary', '--service', 'greeter-api']);
    expect(code).toBe(2);
    expect(output).toContain('scenario canary cannot apply to');
    expect(output).toContain('it releases its own v2 of the greeter (its code) beside greeter-srv, so --service cannot aim it at yours');
  });
});
