/**
 * The scenario pane links to its steps' traces, over the control API as `micro-dev ui` sees it: a real
 * engine runs a latency scenario (dashboard `c` with its file, a topology of its own; a light load, so
 * the tests beside it keep their timing); when it ends
 * the pane counts the traces its step lists, `e` shows them with what explains them, and the one the
 * latency toxic explains opens as a waterfall with the toxic's event, read by id from the engine after
 * the scenario's topology (and its trace store) is gone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import React from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import { runScenarioForDashboard } from '../../runner/cli/dashboard-scenarios.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { RemoteOrchestrator } from '../../runner/control/control-client.ts';
import { startControlServer, type StartedControl } from '../../runner/control/control-server.ts';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { Dashboard } from '../../runner/tui/dashboard.ts';
import { writeSlowReplicaScenario } from '../scenarios/slow-replica-scenario.ts';
import { eventually, writeTestTopology } from '../support/cli-process.ts';
import { Keys, waitFor } from './wait-for.ts';

const h = React.createElement;
let orchestrator: Orchestrator;
let control: StartedControl;
let remote: RemoteOrchestrator;
let dir: string;
let scenarioFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'micro-dev-ui-step-traces-'));
  scenarioFile = await writeSlowReplicaScenario(dir);
  const topology = await loadTopology((await writeTestTopology()).file);
  orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology), runScenario: runScenarioForDashboard });
  await orchestrator.start();
  control = await startControlServer(orchestrator, { host: '127.0.0.1', port: 0 });
  const snap = orchestrator.snapshot();
  remote = await RemoteOrchestrator.connect({
    pid: process.pid,
    controlUrl: control.url,
    token: control.token,
    configFile: topology.file,
    topology: topology.name,
    startedAt: snap.startedAt,
    urls: snap.urls,
  });
}, 60_000);
afterAll(async () => {
  cleanup();
  remote?.close();
  await control?.stop();
  await orchestrator?.shutdown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('micro-dev ui: the scenario pane links to its step traces', () => {
  it('e lists the latency step\'s traces with their explanation; the toxic one opens as a waterfall', async () => {
    const app = render(h(Dashboard, { api: remote, onQuit: () => {}, noColor: true, size: { columns: 120, rows: 40 } }));
    const frame = () => app.lastFrame() ?? '';
    app.stdin.write('c');
    await waitFor(() => (frame().includes('scenario name: _') ? true : undefined), 'the scenario prompt');
    app.stdin.write(scenarioFile);
    // a long path shows its end (the prompt keeps the cursor in sight)
    await waitFor(() => (frame().includes(`${scenarioFile.slice(-60)}_`) ? true : undefined), 'the typed file');
    app.stdin.write(Keys.enter);

    // the run ends: its step lists traces, the pane counts them
    const view = await eventually(
      async () => {
        const s = remote.snapshot().scenario;
        return s?.name === 'slow-replica' && s.steps[0]?.traces?.length ? s : undefined;
      },
      90_000,
      'the scenario to end with its step traces',
    );
    const traces = view.steps[0]!.traces!;
    await waitFor(() => (frame().includes(`e: ${traces.length} step traces`) ? true : undefined), 'the step traces counted in the scenario pane');
    const index = traces.findIndex((t) => /greeter-srv-\d\/inbound: latency 250 ms/.test(t.explanation ?? ''));
    expect(index, JSON.stringify(traces)).toBeGreaterThanOrEqual(0);
    const toxic = traces[index]!;
    expect(toxic.durationMs).toBeGreaterThanOrEqual(250);

    // the scenario's own topology is gone; the engine still serves the trace by id
    expect(await orchestrator.tracing!.store.get(toxic.traceId)).toBeUndefined();
    expect((await remote.trace(toxic.traceId))?.spans.length).toBeGreaterThan(0);

    app.stdin.write('e');
    const list = await waitFor(() => (frame().includes('slow-replica: step traces') ? frame() : undefined), 'the step traces view');
    expect(list).toContain(`slow ${toxic.failed ? 'FAIL' : 'slow'}`);
    expect(list).toContain(toxic.traceId.slice(0, 12));
    for (let i = 0; i < index; i++) app.stdin.write(Keys.down);
    const waterfall = await waitFor(
      () => (frame().includes(`trace ${toxic.traceId}`) && /· toxic latency .*latency=250/.test(frame()) ? frame() : undefined),
      'the toxic trace\'s waterfall',
      10_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${frame()}`);
    });
    expect(waterfall).toMatch(/greeter-srv-\d\/inbound \[micro-faults\]/);
    expect(waterfall).toMatch(new RegExp(`> slow +${toxic.failed ? 'FAIL' : 'slow'}`));
  });
});
