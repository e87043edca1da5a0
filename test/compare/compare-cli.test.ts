/**
 * `micro-dev compare` as a user runs it (bin/micro-dev.js): a short set of drills (dead-instance and
 * registry-partition) against every registry of this build, and its JSON checked row by row: every row has a
 * cell for every registry, and every cell is measured (a number, an outcome, or "not within" its window) or
 * says why its drill does not apply; no drill failed to run. Bad flags: exit 2 naming the flag.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CompareReport } from '../../runner/compare/run-compare.ts';
import { runCli } from '../support/cli-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'micro-dev-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('micro-dev compare', () => {
  it('runs a short set against every registry and reports every row measured', async () => {
    const json = join(dir, 'compare.json');
    const markdown = join(dir, 'compare.md');
    // etcd's rows are checked by .ci/run's full compare step and by test/registry/etcd-*.test.ts: beside the
    // other files of the suite its 3-member split took this test over its 5 minutes.
    const { code, output } = await runCli(['compare', '--registries', 'consul,eureka,nacos', '--scenarios', 'dead-instance,registry-partition', '--seed', '7', '--json', json, '--markdown', markdown]);
    expect(code, output).toBe(0);
    // Done, it let its process go (nothing left holding it: the CLI's safety net did not have to step in).
    expect(output).not.toContain('something still held the process');
    const report = JSON.parse(readFileSync(json, 'utf8')) as CompareReport;
    const kinds = report.registries.map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(['consul', 'eureka', 'nacos']));
    expect(report.seed).toBe(7);
    expect(report.rows.map((r) => r.id)).toEqual(['detect_dead', 'failed_while_listed', 'availability_partition', 'register_partition', 'converge_after_heal']);
    for (const row of report.rows) {
      for (const kind of kinds) {
        const cell = row.cells[kind];
        expect(cell, `${row.id} / ${kind}`).toBeDefined();
        expect(cell!.error, `${row.id} / ${kind}`).toBeUndefined();
        const measured = cell!.value !== null || cell!.notWithinMs !== undefined;
        expect(measured || cell!.skipped !== undefined, `${row.id} / ${kind}: ${cell!.text}`).toBe(true);
      }
    }
    // A split needs members: Eureka peers run it, a one-node registry says there is nothing to split.
    const partition = report.rows.find((r) => r.id === 'register_partition')!;
    expect(partition.cells.eureka!.value).toBe('allowed');
    expect(partition.cells.consul!.skipped).toBe('one registry node: nothing to split');
    // Consul's TTL (10 s) turns a dead instance critical in about 10 s of real time.
    const consul = report.rows.find((r) => r.id === 'detect_dead')!.cells.consul!;
    expect(consul.unit).toBe('ms');
    expect(consul.value).toBeGreaterThan(5_000);
    expect(report.runs.filter((r) => r.verdict !== 'skipped').map((r) => `${r.drill}/${r.registry}`)).toEqual(
      expect.arrayContaining(['dead-instance/consul', 'dead-instance/eureka', 'dead-instance/nacos', 'registry-partition/eureka']),
    );
    const table = readFileSync(markdown, 'utf8');
    expect(table).toMatch(/^\| measured \| consul \| eureka \| nacos/m);
    expect(output).toContain('| time to detect a dead instance |');
  }, 300_000);

  it('bad flags: exit 2 and the flag named', async () => {
    const a = await runCli(['compare', '--registries', 'zookeeper']);
    expect(a.code).toBe(2);
    expect(a.output).toContain('compare: --registries: unknown name "zookeeper" (known: consul, eureka, nacos, etcd)');
    const b = await runCli(['compare', '--scenarios', 'dead-instance,nope']);
    expect(b.code).toBe(2);
    expect(b.output).toContain('compare: --scenarios: unknown name "nope" (known: dead-instance, registry-outage, registry-partition, heartbeat-loss)');
    const c = await runCli(['compare', '--seed', 'x1']);
    expect(c.code).toBe(2);
    expect(c.output).toContain('compare: --seed must be an integer');
  });
});
