import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.ts';
import { TrafficMeter } from './traffic-meter.ts';
import { TrafficWindow } from './traffic-window.ts';

describe('TrafficMeter', () => {
  it('counts gateway requests per one-second tick and keeps 60 samples', () => {
    const meter = new TrafficMeter(new ManualClock(0));
    for (let i = 0; i < 7; i++) meter.gatewayRequest();
    expect(meter.tick()).toEqual([7]);
    expect(meter.tick()).toEqual([7, 0]);
    for (let i = 0; i < 70; i++) meter.tick();
    expect(meter.tick()).toHaveLength(60);
  });

  it('keeps numbers per instance and sums them per service', () => {
    const clock = new ManualClock(100_000);
    const meter = new TrafficMeter(clock);
    const one = meter.observer('greeter-srv-1', 'greeter-srv');
    const two = meter.observer('greeter-srv-2', 'greeter-srv');
    const api = meter.observer('greeter-api-1', 'greeter-api');
    for (let i = 0; i < 30; i++) one.exchange(2, false);
    for (let i = 0; i < 10; i++) two.exchange(300, i < 5);
    api.exchange(5, false);
    expect(meter.instance('greeter-srv-1')).toMatchObject({ requests: 30, errors: 0, rps: 3, errorRate: 0 });
    expect(meter.instance('greeter-srv-1')!.p99).toBeLessThan(2.3);
    expect(meter.instance('greeter-srv-2')).toMatchObject({ requests: 10, errors: 5, errorRate: 0.5 });
    expect(meter.instance('greeter-srv-2')!.p50).toBeGreaterThanOrEqual(300);
    expect(meter.instance('greeter-srv-2')!.p50).toBeLessThan(330);
    const services = meter.services();
    expect(Object.keys(services)).toEqual(['greeter-api', 'greeter-srv']);
    expect(services['greeter-srv']).toMatchObject({ requests: 40, errors: 5, rps: 4, errorRate: 5 / 40 });
    expect(services['greeter-srv']!.p50).toBeLessThan(2.3);
    expect(services['greeter-srv']!.p99).toBeGreaterThanOrEqual(300);
    // an observer asked again for the same instance (a restart) feeds the same window
    meter.observer('greeter-srv-1', 'greeter-srv').exchange(2, false);
    expect(meter.instance('greeter-srv-1')!.requests).toBe(31);
  });

  it('decays to nothing once traffic stops: per instance and per service', () => {
    const clock = new ManualClock(50_500);
    const meter = new TrafficMeter(clock);
    const o = meter.observer('a-1', 'a');
    for (let i = 0; i < 100; i++) o.exchange(5_000, true);
    expect(meter.instance('a-1')).toMatchObject({ requests: 100, errors: 100 });
    clock.advance(5_000);
    expect(meter.instance('a-1')).toMatchObject({ requests: 100 }); // still within the 10 s window
    clock.advance(5_000);
    expect(meter.instance('a-1')).toBeUndefined();
    expect(meter.services()).toEqual({});
  });
});

describe('TrafficWindow', () => {
  it('slides: each second leaves the window 10 s after it began', () => {
    const w = new TrafficWindow(10);
    for (let s = 0; s < 10; s++) w.record(s * 1000 + 10, 1, false);
    expect(w.stats(9_999)).toMatchObject({ requests: 10, rps: 1 });
    expect(w.stats(10_000)).toMatchObject({ requests: 9 });
    expect(w.stats(15_000)).toMatchObject({ requests: 4 });
    w.record(15_000, 1, false); // reuses the slot of second 5
    expect(w.stats(15_000)).toMatchObject({ requests: 5 });
    expect(w.stats(30_000)).toBeUndefined();
  });

  it('ignores a sample older than the window it would overwrite', () => {
    const w = new TrafficWindow(10);
    w.record(20_000, 1, false);
    w.record(10_000, 1, true); // same slot, an older second
    expect(w.stats(20_000)).toMatchObject({ requests: 1, errors: 0 });
  });

  it('gives percentiles within 10 % above the true value', () => {
    const w = new TrafficWindow(10);
    for (let i = 1; i <= 1000; i++) w.record(1_000, i, false); // 1..1000 ms
    const s = w.stats(1_000)!;
    expect(s.p50).toBeGreaterThanOrEqual(500);
    expect(s.p50).toBeLessThanOrEqual(550);
    expect(s.p99).toBeGreaterThanOrEqual(990);
    expect(s.p99).toBeLessThanOrEqual(1089);
  });
});
