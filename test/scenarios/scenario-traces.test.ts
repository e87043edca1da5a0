/**
 * A scenario's report names, per step, the traces that explain it: a latency step on one greeter-srv
 * replica lists its slowest traces with the link and the toxic (terminal, JSON and JUnit system-out).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../runner/scenarios/run-scenario.ts';
import { runScenarioCli } from './scenario-cli.ts';
import { writeSlowReplicaScenario } from './slow-replica-scenario.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'micro-dev-scenario-traces-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scenario reports with traces', () => {
  it('list the slowest traces of a latency step with the link and toxic that explain them', async () => {
    const file = await writeSlowReplicaScenario(dir);
    const json = join(dir, 'slow.json');
    const junit = join(dir, 'slow.xml');
    const { code, output } = await runScenarioCli(['run', file, '--seed', '7', '--json', json, '--junit', junit]);
    expect(code, output).toBe(0);
    const [result] = (JSON.parse(await readFile(json, 'utf8')) as { scenarios: ScenarioResult[] }).scenarios;
    const step = result!.traces!.find((t) => t.step === 'slow')!;
    const target = result!.steps[0]!.targets[0]!;
    expect(step.slowest.length).toBeGreaterThan(0);
    // the slowest request of the step met the toxic (on a loaded machine it may also have failed)
    const slowest = [...step.failed, ...step.slowest].find((t) => t.explanation?.includes(`${target}/inbound: latency 250 ms`))!;
    expect(slowest, JSON.stringify(step)).toBeDefined();
    expect(slowest.durationMs).toBeGreaterThanOrEqual(250);
    expect(output).toContain(`trace ${slowest.traceId.slice(0, 12)}  ${slowest.failed ? 'FAIL' : 'slow'}  ${Math.round(slowest.durationMs)} ms  GET /greeter/say/hello  ${slowest.explanation}`);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('<system-out>failed and slowest traces per step:\nstep slow:\n  trace ');
    expect(xml).toContain(`  trace ${slowest.traceId.slice(0, 12)}`);
  });
});
