/**
 * `micro-dev scenario export chaos-mesh` through the real CLI: Workflow files a YAML parser reads back, and
 * exit 2 naming each fault with no Chaos Mesh equivalent (the mappable scenarios are still written).
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runCli } from '../support/cli-process.ts';
import { validateChaosObjects, type ChaosObject } from '../../runner/export/chaos-mesh/validate-chaos-objects.ts';

describe('micro-dev scenario export chaos-mesh', () => {
  it('writes one valid Workflow per scenario into -o DIR, in --namespace', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'chaos-export-'));
    const { code, output } = await runCli(['scenario', 'export', 'chaos-mesh', 'crash-restart', 'latency-injection', '-o', dir, '--namespace', 'staging']);
    expect(output).toContain(`wrote ${path.join(dir, 'crash-restart.yaml')}`);
    expect(code, output).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['crash-restart.yaml', 'latency-injection.yaml']);
    const workflow = YAML.parse(await readFile(path.join(dir, 'crash-restart.yaml'), 'utf8')) as ChaosObject;
    expect(workflow.metadata).toMatchObject({ name: 'micro-dev-crash-restart', namespace: 'staging' });
    expect(validateChaosObjects([workflow])).toEqual([]);
  });

  it('exit 2 names every fault with no Chaos Mesh equivalent, and still writes the others', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'chaos-export-'));
    const { code, output } = await runCli(['scenario', 'export', 'chaos-mesh', 'network-partition', 'nginx-spof', 'rolling-restart', '-o', dir]);
    expect(code, output).toBe(2);
    expect(output).toContain('micro-dev: scenario export chaos-mesh: 2 of 3 scenarios have a fault with no Chaos Mesh equivalent and were not exported:');
    expect(output).toContain('  nginx-spof: step nginx-down (kill): its target is the static proxy (nginx in front of fixed upstreams), which the Kubernetes export does not run');
    expect(output).toMatch(/ {2}rolling-restart: step roll \(rolling-restart\): .*kubectl rollout restart deployment/);
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
    expect(await readdir(dir)).toEqual(['network-partition.yaml']);
  });

  it('bad usage is exit 2 with the usage line', async () => {
    const { code, output } = await runCli(['scenario', 'export', 'kubernetes', 'crash-restart']);
    expect(code).toBe(2);
    expect(output).toContain('micro-dev: scenario export: expected "chaos-mesh", got "kubernetes"');
    expect(output).toContain('hint: micro-dev scenario export chaos-mesh NAME...|--all [-o DIR] [--namespace N] [-c FILE]');
  });
});
