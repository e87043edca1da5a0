/**
 * `scenario run --against URL` on a `micro-dev up` that already runs (free, non-default ports): the same
 * scenario runner drives the running system from outside, faults through its control API and its fault
 * plane, observations through its control API and registry; every check judged. Then the same URL with
 * no fault driver: only the load-based checks are judged, the rest reported unjudged (exit 2), never passed.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli, writeTestTopology, type TestTopology } from '../support/cli-process.ts';

const drill = `description: kill one srv replica, then cut the other off
load: {rate: 40}
steady_state: {availability: 95, passing: {service: greeter-srv, min: 2}}
steps:
  - {id: crash, at: 1s, fault: kill, target: {instance: greeter-srv-1}, duration: 2s}
  - {id: cut, at: 4s, fault: partition, target: {instance: greeter-srv-2}, duration: 4s}
settle: 20s
expect:
  - {metric: restarts, step: crash, min: 1}
  - {metric: time_to_recover, step: crash, max: 15s}
  - {metric: time_to_detect, step: cut, max: 3500ms}
  - {metric: passing, during: cut, service: greeter-srv, max: 1}
  - {metric: availability, during: run, min: 1}
`;

interface Report {
  exitCode: number;
  scenarios: {
    verdict: string;
    against?: string;
    notApplied?: { step: string; reason: string }[];
    steps: { id: string; fault: string; targets: string[] }[];
    expectations: { label: string; ok: boolean; value: number | null; detail: string; unjudged?: string }[];
    hypothesis: { before: { label: string; ok: boolean; unjudged?: string }[]; after: { label: string; ok: boolean; unjudged?: string }[] };
    traces?: { step: string; failed: { traceId: string }[]; slowest: { traceId: string; name: string }[] }[];
  }[];
}

describe('scenario run --against a running up', () => {
  let topology: TestTopology;
  let up: CliProcess;
  let gateway: string;
  let scenarioFile: string;

  beforeAll(async () => {
    topology = await writeTestTopology();
    gateway = `http://127.0.0.1:${topology.ports.gateway}`;
    scenarioFile = join(topology.dir, 'drill.yaml');
    await writeFile(scenarioFile, drill);
    up = new CliProcess(['up', '--no-tui', '--no-watch', '-c', topology.file]);
    await up.waitFor('micro-dev ready', 90_000);
  }, 120_000);

  afterAll(async () => {
    if (up && up.child.exitCode === null) {
      up.child.kill('SIGINT');
      await up.exited;
    }
  });

  async function restartsOf(instance: string): Promise<number> {
    const status = await runCli(['status', '--json', '-c', topology.file]);
    const snapshot = JSON.parse(status.output) as { instances: { instance: string; restarts: number }[] };
    return snapshot.instances.find((i) => i.instance === instance)!.restarts;
  }

  it('applies the faults through its control API and fault plane and judges every check', async () => {
    const before = await restartsOf('greeter-srv-1');
    const json = join(topology.dir, 'against.json');
    const run = await runCli(['scenario', 'run', scenarioFile, '--against', gateway, '-c', topology.file, '--json', json]);
    const report = JSON.parse(await readFile(json, 'utf8')) as Report;
    const r = report.scenarios[0]!;
    expect(r.against, run.output).toBe(`micro-dev up at ${gateway} (faults through its control API and fault plane)`);
    expect(r.notApplied).toBeUndefined();
    expect(r.steps.map((s) => [s.id, s.fault, s.targets])).toEqual([
      ['crash', 'kill', ['greeter-srv-1']],
      ['cut', 'partition', ['greeter-srv-2']],
    ]);
    for (const c of [...r.hypothesis.before, ...r.expectations, ...r.hypothesis.after]) expect(c.unjudged, c.label).toBeUndefined();
    expect(r.expectations, run.output).toEqual([
      expect.objectContaining({ label: 'restarts after crash >= 1', ok: true }),
      expect.objectContaining({ label: 'time to recover crash <= 15000 ms', ok: true }),
      expect.objectContaining({ label: 'time to detect cut <= 3500 ms', ok: true }),
      expect.objectContaining({ label: 'passing greeter-srv during cut <= 1 at the end', ok: true }),
      expect.objectContaining({ label: 'availability during run (load) >= 1%', ok: true }),
    ]);
    expect(run.code, run.output).toBe(r.verdict === 'held' ? 0 : 1);
    // Per step, the traces the up recorded while it was on (its store, through the control API); each one
    // readable there by id (`micro-dev trace ID`).
    expect(r.traces?.map((t) => t.step), run.output).toEqual(['crash', 'cut']);
    for (const t of r.traces!) expect(t.slowest.length, `${t.step}: ${JSON.stringify(t)}`).toBeGreaterThan(0);
    const listed = r.traces![0]!.slowest[0]!;
    expect(listed.name).toBe('GET /greeter/say/hello');
    const shown = await runCli(['trace', listed.traceId, '-c', topology.file]);
    expect(shown.output).toContain(`trace ${listed.traceId}`);
    // The running up saw the kill, and kept nothing of the partition.
    expect(await restartsOf('greeter-srv-1')).toBeGreaterThan(before);
    const links = (await (await fetch(`http://127.0.0.1:${topology.ports.faults}/proxies`)).json()) as Record<string, { toxics: { name: string }[] }>;
    expect(Object.values(links).flatMap((l) => l.toxics.map((t) => t.name)).filter((n) => n.startsWith('scenario:'))).toEqual([]);
  }, 120_000);

  it('with no fault driver it only observes: load checks judged, the rest unjudged, exit 2', async () => {
    const before = await restartsOf('greeter-srv-1');
    const elsewhere = await mkdtemp(join(tmpdir(), 'against-observe-'));
    const json = join(elsewhere, 'observe.json');
    const run = await runCli(['scenario', 'run', scenarioFile, '--against', `${gateway}/`, '--json', json], elsewhere);
    const r = (JSON.parse(await readFile(json, 'utf8')) as Report).scenarios[0]!;
    expect(r.against).toMatch(new RegExp(`^${gateway}, observing only \\(faults need --compose FILE`));
    expect(r.notApplied).toEqual([
      expect.objectContaining({ step: 'crash', reason: 'no fault driver: observing only' }),
      expect.objectContaining({ step: 'cut', reason: 'no fault driver: observing only' }),
    ]);
    expect(r.steps).toEqual([]);
    const byLabel = Object.fromEntries(r.expectations.map((e) => [e.label, e]));
    expect(byLabel['availability during run (load) >= 1%']).toMatchObject({ ok: true });
    expect(r.expectations.filter((e) => e.unjudged).map((e) => e.unjudged)).toEqual([
      'step crash was not applied: no fault driver: observing only',
      'step crash was not applied: no fault driver: observing only',
      'step cut was not applied: no fault driver: observing only',
      'step cut was not applied: no fault driver: observing only',
    ]);
    expect(r.hypothesis.before.find((c) => c.label === 'steady state before: greeter-srv passing >= 2')?.unjudged).toMatch(/^passing needs the registry's and the instances' view/);
    expect(r.verdict, run.output).toBe('unjudged');
    expect(run.code).toBe(2);
    expect(run.output).toMatch(/skip time_to_recover of crash: not judged: step crash was not applied/);
    expect(await restartsOf('greeter-srv-1')).toBe(before); // nothing was done to the system
  }, 120_000);

  it('--chaos-mesh with no reachable cluster is exit 2 naming what is missing', async () => {
    const run = await runCli(['scenario', 'run', 'crash-restart', '--against', gateway, '--chaos-mesh']);
    expect(run.code).toBe(2);
    expect(run.output).toMatch(/^micro-dev: scenario run --chaos-mesh: (kubectl is not on PATH|kubectl has no current context \(.+\)); faults in a cluster are Chaos Mesh objects applied with kubectl$/m);
    expect(run.output).toContain('hint: without --chaos-mesh, scenario run --against URL only observes');
  });

  it('bad --against values are exit 2', async () => {
    expect(await runCli(['scenario', 'run', 'crash-restart', '--against', 'staging:8080'])).toMatchObject({ code: 2, output: expect.stringContaining('--against must be an http:// or https:// URL, got "staging:8080"') });
    expect(await runCli(['scenario', 'run', 'crash-restart', '--chaos-mesh'])).toMatchObject({ code: 2, output: expect.stringContaining('--chaos-mesh goes with --against URL') });
  });
});
