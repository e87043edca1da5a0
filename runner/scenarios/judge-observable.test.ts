import { describe, expect, it } from 'vitest';
import { unjudgedReason } from './judge-observable.ts';
import type { Expectation } from './scenario-schema.ts';

describe('unjudgedReason', () => {
  const none = new Map<string, string>();
  const cut = new Map([['cut', 'pause has no docker equivalent here']]);
  const cases: [Expectation, 'everything' | 'load', Map<string, string>, RegExp | undefined][] = [
    [{ metric: 'availability', during: 'cut', min: 99 }, 'load', none, undefined],
    [{ metric: 'p99', during: 'run', max: 100 }, 'load', cut, undefined],
    [{ metric: 'failed_requests', during: 'before', max: 0 }, 'load', cut, undefined],
    [{ metric: 'availability', during: 'cut', min: 99 }, 'load', cut, /^step cut was not applied: pause has no docker equivalent here$/],
    [{ metric: 'time_to_recover', step: 'cut', max: 3000 }, 'everything', cut, /^step cut was not applied/],
    [{ metric: 'time_to_recover', step: 'cut', max: 3000 }, 'everything', none, undefined],
    [{ metric: 'time_to_detect', step: 'cut', max: 3000 }, 'load', none, /^time_to_detect needs the registry's and the instances' view/],
    [{ metric: 'passing', during: 'run', service: 'greeter-srv', min: 1 }, 'load', none, /^passing needs/],
    [{ metric: 'leaders', during: 'run', key: 'k', max: 1 }, 'load', none, /^leaders needs/],
    [{ metric: 'restarts', step: 'cut', min: 1 }, 'load', none, /^restarts needs/],
  ];
  for (const [e, observes, notApplied, reason] of cases) {
    it(`${e.metric} ${JSON.stringify(e)} observing ${observes}${notApplied.size ? ' (cut not applied)' : ''}: ${reason ? 'unjudged' : 'judged'}`, () => {
      const got = unjudgedReason(e, observes, notApplied);
      if (reason) expect(got).toMatch(reason);
      else expect(got).toBeUndefined();
    });
  }
});
