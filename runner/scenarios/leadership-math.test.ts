import { describe, expect, it } from 'vitest';
import { leadersIn, parseLeaderLine, timeToNewLeader, timeToStepDown } from './leadership-math.ts';
import type { StepRecord, Timeline } from './timeline.ts';

const key = 'svc/leader';
const timeline = (leadership: Timeline['leadership']): Timeline => ({ requests: [], samples: [], steps: [], endAt: 10_000, leadership });
const step: StepRecord = { id: 'cut', fault: 'partition', targets: ['a'], targetIds: [undefined], startAt: 1000, endAt: 3000 };

describe('leadership math', () => {
  it('parses the kit lines and ignores others', () => {
    expect(parseLeaderLine('leader svc/leader: elected (session 1-2)')).toEqual({ key, leader: true });
    expect(parseLeaderLine('leader svc/leader: stepped down (no renew within TTL)')).toEqual({ key, leader: false });
    expect(parseLeaderLine('registered go.micro.srv.leader x at y')).toBeUndefined();
  });

  it('counts believers at every moment: a hand-over without overlap is 1, with overlap 2', () => {
    const clean = timeline([
      { at: -500, instance: 'a', key, leader: true },
      { at: 1300, instance: 'a', key, leader: false },
      { at: 2200, instance: 'b', key, leader: true },
    ]);
    expect(leadersIn(clean, key, [0, 5000])).toEqual({ most: 1, atEnd: 1, mostWho: ['a'] });
    expect(timeToStepDown(clean, step, key)).toBe(300);
    expect(timeToNewLeader(clean, step, key)).toBe(1200);
    const split = timeline([
      { at: -500, instance: 'a', key, leader: true },
      { at: 2200, instance: 'b', key, leader: true },
      { at: 2600, instance: 'a', key, leader: false },
      { at: 2700, instance: 'c', key: 'other', leader: true },
    ]);
    expect(leadersIn(split, key, [0, 5000])).toMatchObject({ most: 2, mostWho: ['a', 'b'], atEnd: 1 });
    // The window only sees what happened in it, plus who led when it opened.
    expect(leadersIn(split, key, [2650, 5000]).most).toBe(1);
  });

  it('a target that never steps down, or no new leader, is undefined', () => {
    const stuck = timeline([{ at: 0, instance: 'a', key, leader: true }]);
    expect(timeToStepDown(stuck, step, key)).toBeUndefined();
    expect(timeToNewLeader(stuck, step, key)).toBeUndefined();
    // A target that did not lead at the fault has nothing to step down from.
    expect(timeToStepDown(timeline([{ at: 0, instance: 'b', key, leader: true }]), step, key)).toBe(0);
  });
});
