/**
 * Runs a scenario for the dashboard's `c` key: on a topology of its own (free ports), beside the running
 * `up`, its view (steps, expectations) at once and its progress lines, with its own topology's (instances
 * starting, ready, crashing), going to the dashboard's scenario pane and log; when it ends, the traces its
 * steps list go to the engine (`keepTraces`), so the pane links to them after its topology is gone. The CLI
 * injects this into the engine so the engine does not depend on runner/scenarios (which depends on it).
 */
import type { ScenarioRunner } from '../engine/orchestrator.ts';

export const runScenarioForDashboard: ScenarioRunner = async (name, report, signal, keepTraces) => {
  const { loadScenario } = await import('../scenarios/load-scenario.ts');
  const { runScenario } = await import('../scenarios/run-scenario.ts');
  const scenario = await loadScenario(name);
  let last: Parameters<typeof report>[0] | undefined;
  const result = await runScenario(scenario, {
    signal,
    onView: (view, message) => {
      last = view;
      report(view, message);
    },
    onTraces: keepTraces,
    onProgress: (line) => last && report(last, line),
    // Its own topology's progress, live in the dashboard's log (it used to start unseen for many seconds).
    onTopologyProgress: (line) => last && report(last, line),
  });
  if (last) report(last, `scenario ${scenario.name}: ${result.verdict}${result.error ? ` (${result.error})` : ''}`);
};
