import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkScenarioText } from './check-scenario-text.ts';
import { scenarioView } from './scenario-view.ts';
import { DEFAULT_TOPOLOGY_FILE, REPO_ROOT } from './scenario-paths.ts';

const { scenario } = checkScenarioText(
  [
    'load: {rate: 10}',
    'steps:',
    '  - {id: cut, at: 1s, fault: partition, target: {service: greeter-srv, count: 1}, duration: 2s}',
    '  - {id: crash, at: 4s, fault: kill, target: {service: greeter-api}}',
    'expect:',
    '  - {metric: time_to_detect, step: cut, max: 1s}',
    '  - {metric: availability, during: crash, min: 99}',
  ].join('\n'),
  path.join(REPO_ROOT, 'scenarios/v.yaml'),
  { text: readFileSync(DEFAULT_TOPOLOGY_FILE, 'utf8'), file: DEFAULT_TOPOLOGY_FILE },
);

describe('scenarioView', () => {
  it('steps go pending -> active -> done; checks pending until judged', () => {
    const active = scenarioView(scenario!, 5, [{ id: 'cut', fault: 'partition', targets: ['greeter-srv-2'], targetIds: [], startAt: 1000, endAt: 0 }]);
    expect(active).toEqual({
      name: 'v',
      startedAt: 5,
      steps: [
        { at: 1000, label: 'cut: partition greeter-srv-2', state: 'active' },
        { at: 4000, label: 'crash: kill', state: 'pending' },
      ],
      expectations: [
        { label: 'time_to_detect cut', state: 'pending' },
        { label: 'availability during crash', state: 'pending' },
      ],
    });
    const judged = scenarioView(scenario!, 5, [{ id: 'cut', fault: 'partition', targets: ['greeter-srv-2'], targetIds: [], startAt: 1000, endAt: 3000 }], [
      { label: 'time to detect cut <= 1000 ms', ok: false, value: null, detail: 'was never' },
    ]);
    expect(judged.steps[0]!.state).toBe('done');
    expect(judged.expectations).toEqual([{ label: 'time to detect cut <= 1000 ms', state: 'fail', detail: 'was never' }]);
  });

  it('gives each step its traces once, failed first, when the run has read them', () => {
    const records = [
      { id: 'cut', fault: 'partition', targets: ['greeter-srv-2'], targetIds: [], startAt: 1000, endAt: 3000 },
      { id: 'crash', fault: 'kill', targets: ['greeter-api-1'], targetIds: [], startAt: 4000, endAt: 4000 },
    ];
    const t = (id: string, failed: boolean, explanation?: string) => ({ traceId: id.repeat(32), name: 'GET /greeter/say/hello', durationMs: 2003, failed, ...(explanation ? { explanation } : {}) });
    const down = t('a', true, 'greeter-srv-2/inbound: down -> call timeout after 2000 ms -> retried on greeter-srv-1');
    const v = scenarioView(scenario!, 5, records, undefined, [{ step: 'cut', failed: [down], slowest: [down, t('b', false)] }]);
    expect(v.steps[0]!.traces).toEqual([down, t('b', false)]);
    expect(v.steps[1]!.traces).toBeUndefined();
  });
});
