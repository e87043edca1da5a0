import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.ts';
import { TrafficMeter } from './traffic-meter.ts';

describe('TrafficMeter', () => {
  it('counts gateway requests per one-second tick and keeps 60 samples', () => {
    const clock = new ManualClock(0);
    const meter = new TrafficMeter(clock);
    for (let i = 0; i < 7; i++) meter.record({ at: clock.now(), status: 200, ms: 1, service: 'a' });
    meter.record({ at: clock.now(), status: 200, ms: 1, service: 'b', gateway: false }); // a proxy call
    expect(meter.tick()).toEqual([7]);
    expect(meter.tick()).toEqual([7, 0]);
    for (let i = 0; i < 70; i++) meter.tick();
    expect(meter.tick()).toHaveLength(60);
  });

  it('forgets samples older than 5 s at each tick', () => {
    const clock = new ManualClock(0);
    const meter = new TrafficMeter(clock);
    meter.record({ at: clock.now(), status: 200, ms: 1, service: 'a' });
    clock.advance(6000);
    meter.tick();
    expect(meter.stats('a')).toBeUndefined();
  });

  it('gives per-service rate, error rate (5xx or a flagged mucp error) and p99 over the last 5 s', () => {
    const clock = new ManualClock(10_000);
    const meter = new TrafficMeter(clock);
    for (let i = 0; i < 98; i++) meter.record({ at: clock.now(), status: 200, ms: 2, service: 'go.micro.srv.greeter' });
    meter.record({ at: clock.now(), status: 500, ms: 50, service: 'go.micro.srv.greeter' });
    meter.record({ at: clock.now(), status: 200, ms: 90, service: 'go.micro.srv.greeter', error: true });
    expect(meter.stats('go.micro.srv.greeter')).toEqual({ rps: 20, errorRate: 0.02, p99: 90 });
    expect(meter.stats('go.micro.api.greeter')).toBeUndefined();
  });
});
