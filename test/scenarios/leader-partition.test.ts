/**
 * The leader-election drill end to end: `micro-dev scenario run leader-partition` (three leader-srv worker
 * replicas electing on a Consul session lock in the embedded registry; the leader's links cut), the JSON
 * report read back and the leadership timeline checked on its own.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadersAt } from '../../runner/scenarios/leadership-math.ts';
import type { ScenarioResult } from '../../runner/scenarios/run-scenario.ts';
import { runScenarioCli } from './scenario-cli.ts';

const KEY = 'service/go.micro.srv.leader/leader';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'micro-dev-leader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scenario leader-partition', () => {
  it('partitions the leader: one leader at every moment, step-down within TTL, a new leader within TTL x 2 + lock-delay', async () => {
    const json = join(dir, 'leader.json');
    const { code, output } = await runScenarioCli(['run', 'leader-partition', '--json', json]);
    expect(code, output).toBe(0);
    const [result] = (JSON.parse(await readFile(json, 'utf8')) as { scenarios: ScenarioResult[] }).scenarios;
    expect(result!.verdict).toBe('held');
    const step = result!.steps.find((s) => s.id === 'cut')!;
    const timeline = result!.timeline;
    // The step hit the instance that led when it started, and the registry agreed.
    expect(step.targets).toHaveLength(1);
    const old = step.targets[0]!;
    expect([...leadersAt(timeline, KEY, step.startAt)]).toEqual([old]);
    const atCut = timeline.samples.filter((s) => s.at <= step.startAt).at(-1)!;
    expect(atCut.locks?.[KEY]).toBe(old);
    // The old leader stepped down before anyone else was elected.
    const records = timeline.leadership!.filter((r) => r.key === KEY && r.at >= step.startAt);
    const down = records.find((r) => r.instance === old && !r.leader)!;
    const next = records.find((r) => r.leader && r.instance !== old)!;
    expect(down.at).toBeLessThan(next.at);
    const value = (label: string) => result!.expectations.find((e) => e.label.startsWith(label))!.value!;
    expect(value(`time for ${old} to step down`)).toBeGreaterThan(0);
    expect(value('time to a new leader')).toBeGreaterThan(value(`time for ${old} to step down`));
    // After the heal the old leader is back, as a follower: the registry lists a new holder.
    const last = timeline.samples.at(-1)!;
    expect(last.locks?.[KEY]).toBe(next.instance);
    expect([...leadersAt(timeline, KEY, timeline.endAt)]).toEqual([next.instance]);
  });
});
