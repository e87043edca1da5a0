import { afterEach, describe, expect, it } from 'vitest';
import { EurekaLeaseModel, type EurekaLeaseOptions } from './eureka-lease-model.ts';
import { testCore } from './test-core.ts';

const MIN = 60_000;

function eureka(opts: Partial<EurekaLeaseOptions> = {}) {
  let model: EurekaLeaseModel | undefined;
  const t = testCore({ semantics: 'eureka' }, (host) => {
    model = new EurekaLeaseModel(host, { doubleExpiryQuirk: true, enableSelfPreservation: true, random: () => 0, ...opts });
    return model;
  });
  const register = (n: number, prefix = 'i') => {
    for (let i = 1; i <= n; i++) t.register({ Name: 'app', ID: `${prefix}${i}`, Check: { TTL: '90s' } });
  };
  const renew = (ids: string[]) => ids.forEach((id) => t.core.updateTtl(`service:${id}`, 'passing', ''));
  return { ...t, model: model!, register, renew };
}

describe('eureka lease model', () => {
  let t: ReturnType<typeof eureka>;
  afterEach(() => t.stop());

  it('a never-renewed lease expires 90 s after registration (vector 35)', () => {
    t = eureka({ enableSelfPreservation: false });
    t.register(1);
    t.clock.advance(60 * 1000);
    expect(t.exists('i1')).toBe(true);
    t.clock.advance(60 * 1000); // eviction tick at 120 s: expired since 90 s
    expect(t.exists('i1')).toBe(false);
    expect(t.events.find((e) => e.type === 'evicted')).toMatchObject({ serviceId: 'i1', semantics: 'eureka' });
  });

  it('a renewed lease lasts 2 x 90 s with the quirk, 90 s without (vector 36)', () => {
    t = eureka({ enableSelfPreservation: false, evictionIntervalMs: 1000 });
    t.register(1);
    t.clock.advance(10_000);
    t.renew(['i1']);
    t.clock.advance(179_000);
    expect(t.exists('i1')).toBe(true);
    t.clock.advance(2_000);
    expect(t.exists('i1')).toBe(false);
    t.stop();

    t = eureka({ enableSelfPreservation: false, evictionIntervalMs: 1000, doubleExpiryQuirk: false });
    t.register(1);
    t.clock.advance(10_000);
    t.renew(['i1']);
    t.clock.advance(89_000);
    expect(t.exists('i1')).toBe(true);
    t.clock.advance(2_000);
    expect(t.exists('i1')).toBe(false);
  });

  it('threshold is (int)(expected x 2 x 0.85); 8 of 10 renewing = self-preservation keeps the dead (vector 37)', () => {
    t = eureka();
    t.register(10);
    expect(t.model.threshold).toBe(17);
    const alive = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8'];
    for (let s = 0; s < 10 * 60; s += 30) {
      t.renew(alive);
      t.clock.advance(30_000);
    }
    expect(t.core.status('x')).toMatchObject({ renewsLastMin: 16, renewThreshold: 17, selfPreservation: true });
    expect(t.exists('i9') && t.exists('i10')).toBe(true);
    expect(t.events.some((e) => e.type === 'evicted')).toBe(false);
  });

  it('9 of 10 renewing (18 > 17) enables expiry and the dead ones go', () => {
    t = eureka();
    t.register(10);
    const alive = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'i9'];
    for (let s = 0; s < 6 * 60; s += 30) {
      t.renew(alive);
      t.clock.advance(30_000);
    }
    expect(t.exists('i10')).toBe(false);
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'self-preservation', enabled: false, renewsLastMin: 18 }));
  });

  it('selfPreservation=false always expires', () => {
    t = eureka({ enableSelfPreservation: false });
    t.register(10);
    t.clock.advance(4 * MIN);
    expect(t.core.store.serviceCount()).toBeLessThan(10);
  });

  it('eviction is capped at size - (int)(size x 0.85) per run (vector 38)', () => {
    t = eureka({ enableSelfPreservation: false, doubleExpiryQuirk: false });
    t.register(20);
    const alive = Array.from({ length: 10 }, (_, i) => `i${i + 1}`);
    t.clock.advance(91_000);
    t.renew(alive);
    const before = t.core.store.serviceCount();
    t.model.evict();
    expect(before - t.core.store.serviceCount()).toBe(3);
    t.stop();

    t = eureka({ enableSelfPreservation: false });
    t.register(6);
    t.clock.advance(91_000);
    t.model.evict();
    expect(t.core.store.serviceCount()).toBe(5);
  });

  it('reads come from the 30 s read-only cache (vector 41)', () => {
    t = eureka();
    const view = () => t.core.model.readView().data.instancesOf('app').length;
    t.clock.advance(5_000);
    t.register(1);
    expect(view()).toBe(0);
    t.clock.advance(24_999);
    expect(view()).toBe(0);
    t.clock.advance(1);
    expect(view()).toBe(1);
  });

  it('publishes renew-rate each minute', () => {
    t = eureka();
    t.register(2);
    t.renew(['i1', 'i2']);
    t.clock.advance(MIN);
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'renew-rate', renewsLastMin: 2, threshold: 3 }));
  });

  it('stop() leaves no timers behind', () => {
    t = eureka();
    t.register(3);
    t.clock.advance(90_000);
    t.stop();
    expect(t.clock.pending).toBe(0);
  });
});
