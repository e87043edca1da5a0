/**
 * Built-in scenarios on a user's own topology with no greeter: a project made by `micro-dev new service
 * orders --lang python`, then `micro-dev scenario run ... --service orders --path ...` from the project's
 * folder (its micro.dev.yaml is the base). Without --service the drill cannot apply and says why (exit 2).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../runner/scenarios/run-scenario.ts';
import { runCli, writeTopology, type TestTopology } from '../support/cli-process.ts';

let project: TestTopology;
beforeAll(async () => {
  project = await writeTopology('', 'user-scenarios');
  const made = await runCli(['new', 'service', 'orders', '--lang', 'python'], project.dir);
  expect(made.code, made.output).toBe(0);
});

describe('built-in scenarios on a topology with no greeter', () => {
  it('cannot apply without --service or without a request, and says why (exit 2)', async () => {
    const bare = await runCli(['scenario', 'run', 'crash-restart'], project.dir);
    expect(bare.code).toBe(2);
    expect(bare.output).toContain(
      'scenario crash-restart cannot apply to micro.dev.yaml: it aims at greeter-srv, which the topology does not have; aim it at one of yours with --service NAME (services: orders)',
    );
    const noRequest = await runCli(['scenario', 'run', 'crash-restart', 'latency-injection', '--service', 'orders'], project.dir);
    expect(noRequest.code).toBe(2);
    expect(noRequest.output).toContain('2 of 2 scenarios cannot run:');
    expect(noRequest.output).toContain('its load calls the greeter (GET /greeter/say/hello?name=John), which the topology does not run; give the request with --path');
  });

  it('crash-restart and network-partition run against the user service, aimed by --service and --path', { timeout: 180_000 }, async () => {
    const json = join(project.dir, 'report.json');
    const junit = join(project.dir, 'junit.xml');
    const { code, output } = await runCli(
      ['scenario', 'run', 'crash-restart', 'network-partition', '--service', 'orders', '--path', '/orders/say/hello?name=J', '--json', json, '--junit', junit],
      project.dir,
    );
    expect(output).toContain('[crash-restart] aimed at orders (written for greeter-srv)');
    expect(output).toContain('[crash-restart] orders runs 2 replicas in this drill (the topology has 1): one is broken, the other answers');
    expect(output).toMatch(/kill orders-\d for 2000 ms/);
    expect(output).toMatch(/partition orders-\d for 2000 ms/);
    expect(code, output).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as { scenarios: ScenarioResult[] };
    expect(report.scenarios.map((s) => [s.name, s.verdict])).toEqual([
      ['crash-restart', 'held'],
      ['network-partition', 'held'],
    ]);
    expect(report.scenarios[0]!.loads[0]!.sent).toBeGreaterThan(100);
    expect(await readFile(junit, 'utf8')).toContain('crash-restart');
  });
});
