/**
 * `micro-dev scenario run` end to end: real topologies (worker threads, registry, gateway, fault plane) on
 * free ports, the CLI as a child process, the JSON and JUnit reports read back.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTargets } from '../../runner/scenarios/plan-targets.ts';
import { loadScenario } from '../../runner/scenarios/load-scenario.ts';
import type { ScenarioResult } from '../../runner/scenarios/run-scenario.ts';
import { runScenarioCli } from './scenario-cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'micro-dev-scenarios-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const byLabel = (r: ScenarioResult, start: string) => r.expectations.find((e) => e.label.startsWith(start))!;

describe('micro-dev scenario', () => {
  it('lists the built-in scenarios with their description', async () => {
    const { code, output } = await runScenarioCli(['list']);
    expect(code).toBe(0);
    for (const name of ['crash-restart', 'heartbeat-loss', 'heartbeat-loss-eureka', 'latency-injection', 'network-partition', 'nginx-spof', 'registry-outage', 'rolling-restart']) {
      expect(output).toMatch(new RegExp(`^${name} +\\S`, 'm'));
    }
  });

  it('runs crash-restart and heartbeat-loss: exit 0, numbers in the JSON report, seeded targets', async () => {
    const json = join(dir, 'ok.json');
    const junit = join(dir, 'ok.xml');
    const { code, output } = await runScenarioCli(['run', 'crash-restart', 'heartbeat-loss', '--seed', '1234', '--json', json, '--junit', junit]);
    expect(output).toMatch(/^\[crash-restart\] \+1\.\d\ds kill greeter-srv-\d for 2000 ms$/m);
    expect(code, output).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as { exitCode: number; scenarios: ScenarioResult[] };
    expect(report.exitCode).toBe(0);
    const [crash, silence] = report.scenarios;

    expect(crash!).toMatchObject({ name: 'crash-restart', seed: 1234, verdict: 'held' });
    expect(byLabel(crash!, 'availability during crash').value).toBeGreaterThanOrEqual(99);
    expect(byLabel(crash!, 'time to recover crash').value).toBeGreaterThan(0);
    expect(byLabel(crash!, 'time to recover crash').value).toBeLessThanOrEqual(3000);
    expect(byLabel(crash!, 'restarts after crash').value).toBeGreaterThanOrEqual(1);
    expect(crash!.loads[0]!.sent).toBeGreaterThan(100);

    expect(silence!).toMatchObject({ name: 'heartbeat-loss', seed: 1234, verdict: 'held' });
    const detect = byLabel(silence!, 'time to detect silence').value!;
    expect(detect).toBeGreaterThan(0);
    expect(detect).toBeLessThanOrEqual(1500);
    expect(byLabel(silence!, 'availability during silence').value).toBeGreaterThanOrEqual(99);

    // The victims are exactly what the seed plans, so a run can be replayed.
    for (const result of [crash!, silence!]) {
      const scenario = await loadScenario(result.name);
      const instances = result.timeline.samples[0]!.instances.map((i) => ({ instance: i.instance, service: i.service, tier: 'srv' as const }));
      const plan = planTargets(scenario.steps, instances, 1234);
      expect(result.steps.map((s) => s.targets)).toEqual(scenario.steps.map((s) => plan.get(s.id)));
    }
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('<testsuite name="crash-restart"');
    expect(xml).not.toContain('<failure');
  });

  it('an expectation that does not hold: exit 1 and a JUnit failure naming it', async () => {
    const file = join(dir, 'too-strict.yaml');
    await writeFile(
      file,
      [
        'description: crash-restart with an impossible recovery bound',
        'topology: {registry: {time_scale: 0.05}}',
        'load: {rate: 50}',
        'steps:',
        '  - {id: crash, at: 700ms, fault: kill, target: {service: greeter-srv, count: 1}, duration: 1s}',
        'expect:',
        '  - {metric: time_to_recover, step: crash, max: 1ms}',
        '  - {metric: availability, during: crash, min: 50}',
      ].join('\n'),
    );
    const junit = join(dir, 'fail.xml');
    const { code, output } = await runScenarioCli(['run', file, '--junit', junit]);
    expect(code, output).toBe(1);
    expect(output).toMatch(/FAIL time to recover crash <= 1 ms: was \d+ ms/);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="too-strict" tests="2" failures="1" errors="0"/);
    expect(xml).toMatch(/<testcase classname="scenario.too-strict" name="time to recover crash &lt;= 1 ms" time="0">\s*<failure message="time to recover crash &lt;= 1 ms: was \d+ ms/);
  });

  it('rollbacks run even when the run breaks: the active fault is healed, exit 2', async () => {
    const file = join(dir, 'breaks.yaml');
    await writeFile(
      file,
      [
        'description: a partition, then a step whose target matches nothing',
        'topology: {registry: {time_scale: 0.05}}',
        'load: {rate: 20}',
        'steps:',
        '  - {id: cut, at: 300ms, fault: partition, target: {service: greeter-srv, count: 1}, duration: 20s}',
        '  - {id: nothing, at: 600ms, fault: kill, target: {service: greeter-srv, tier: web}}',
      ].join('\n'),
    );
    const json = join(dir, 'breaks.json');
    const { code, output } = await runScenarioCli(['run', file, '--json', json]);
    expect(code, output).toBe(2);
    const [result] = (JSON.parse(await readFile(json, 'utf8')) as { scenarios: ScenarioResult[] }).scenarios;
    expect(result!.verdict).toBe('error');
    expect(result!.error).toBe('step nothing: no instance matches target {"service":"greeter-srv","tier":"web"}');
    expect(result!.rollbacks).toEqual([{ action: 'heal cut', ok: true, detail: 'done' }]);
    expect(result!.durationMs).toBeLessThan(15_000); // did not sit out the 20 s partition
  });

  it('a scenario file with problems: exit 2 and FILE:LINE:COL before anything starts', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'steps:\n  - {at: 1s, fault: kil}\n');
    const { code, output } = await runScenarioCli(['run', file]);
    expect(code).toBe(2);
    expect(output).toContain(`${file}:2:21: unknown fault "kil" in steps[0] (did you mean "kill"?)`);
    expect((await runScenarioCli(['run', 'no-such-scenario'])).code).toBe(2);
  });
});
