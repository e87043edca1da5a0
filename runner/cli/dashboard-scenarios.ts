/**
 * Runs a scenario for the dashboard's `c` key: on a topology of its own (free ports), beside the running
 * `up`, turning its progress into the dashboard's scenario pane (steps pending -> active -> done,
 * expectations pending -> pass/fail). The CLI injects this into the engine so the engine does not depend on
 * runner/scenarios (which depends on the engine).
 */
import type { ScenarioView } from '../engine/api.ts';
import type { ScenarioRunner } from '../engine/orchestrator.ts';

export const runScenarioForDashboard: ScenarioRunner = async (name, report, signal) => {
  const { loadScenario } = await import('../scenarios/load-scenario.ts');
  const { runScenario } = await import('../scenarios/run-scenario.ts');
  const scenario = await loadScenario(name);
  const view: ScenarioView = {
    name: scenario.name,
    startedAt: Date.now(),
    steps: scenario.steps.map((s) => ({
      at: s.at,
      label: `${s.id}: ${s.fault}${s.duration !== undefined ? ` for ${s.duration} ms` : ''}`,
      state: 'pending',
    })),
    expectations: scenario.expect.map((e) => ({ label: e.metric, state: 'pending' })),
  };
  const publish = (message?: string) => report(structuredClone(view), message);
  publish(`scenario ${scenario.name} starting on its own topology`);
  const result = await runScenario(scenario, {
    signal,
    onProgress: (line) => {
      // `+1.20s partition greeter-srv-2 for 1500 ms` starts the next pending step; `healed <id>` ends it.
      const started = /^\[[^\]]+\] \+\S+ (\S+) /.exec(line);
      const healed = /healed (\S+)$/.exec(line);
      if (healed) {
        const i = scenario.steps.findIndex((s) => s.id === healed[1]);
        if (i >= 0) view.steps[i].state = 'done';
      } else if (started && !line.includes(' healed ')) {
        const i = view.steps.findIndex((s, n) => s.state === 'pending' && scenario.steps[n].fault === started[1]);
        if (i >= 0) view.steps[i].state = 'active';
      }
      publish(line);
    },
  });
  view.steps = view.steps.map((s) => ({ ...s, state: 'done' }));
  view.expectations = result.expectations.map((e) => ({ label: e.label, state: e.ok ? 'pass' : 'fail', detail: e.detail }));
  publish(`scenario ${scenario.name}: ${result.verdict}${result.error ? ` (${result.error})` : ''}`);
};
