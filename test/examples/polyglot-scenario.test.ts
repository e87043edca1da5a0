/**
 * A scenario kills and restarts the Go and the Python instances of examples/polyglot (real processes, real
 * restart policy, real registry): `micro-dev scenario run FILE -c examples/polyglot/micro.dev.yaml`, as a
 * user runs it, with the JSON report read back.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../runner/scenarios/run-scenario.ts';
import { runCli } from '../support/cli-process.ts';
import { copyPolyglotExample } from './polyglot-copy.ts';

describe('examples/polyglot under a scenario', () => {
  it('kills the Go and the Python instance in turn: each restarts and registers again, callers keep being answered', async () => {
    const copy = await copyPolyglotExample();
    const json = join(copy.dir, 'report.json');
    const { code, output } = await runCli(['scenario', 'run', join(copy.dir, 'crash-go-python.yaml'), '-c', copy.file, '--json', json]);
    expect(output).toMatch(/kill hello-go-\d for 2000 ms/);
    expect(output).toMatch(/kill hello-py-\d for 2000 ms/);
    expect(code, output).toBe(0);
    const [result] = (JSON.parse(await readFile(json, 'utf8')) as { scenarios: ScenarioResult[] }).scenarios;
    expect(result!.verdict).toBe('held');
    const value = (label: string) => result!.expectations.find((e) => e.label.startsWith(label))!.value!;
    expect(value('restarts after kill-go')).toBeGreaterThanOrEqual(1);
    expect(value('restarts after kill-python')).toBeGreaterThanOrEqual(1);
    expect(value('availability during kill-go')).toBeGreaterThanOrEqual(99);
    expect(value('availability during kill-python')).toBeGreaterThanOrEqual(99);
    expect(result!.loads.every((l) => l.sent > 100)).toBe(true);
  }, 240_000);
});
