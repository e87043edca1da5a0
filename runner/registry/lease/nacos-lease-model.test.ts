import { afterEach, describe, expect, it } from 'vitest';
import { ConsulHttpError } from '../consul-http-error.ts';
import { testCore } from './test-core.ts';

describe('nacos lease model', () => {
  let t: ReturnType<typeof testCore>;
  afterEach(() => t.stop());

  it('healthy at 15 s, unhealthy by 20 s, deleted by 35 s; a beat in between restores (vector 42)', () => {
    t = testCore({ semantics: 'nacos' });
    t.register({ Name: 'svc', ID: 'a', Check: { TTL: '5s' } });
    t.register({ Name: 'svc', ID: 'b', Check: { TTL: '5s' } });
    expect(t.statusOf('service:a')).toBe('passing');
    t.clock.advance(15_000);
    expect(t.statusOf('service:a')).toBe('passing');
    t.clock.advance(5_000);
    expect(t.statusOf('service:a')).toBe('critical');
    t.core.updateTtl('service:b', 'passing', '');
    t.clock.advance(1);
    expect(t.statusOf('service:b')).toBe('passing');
    t.clock.advance(15_000);
    expect(t.exists('a')).toBe(false);
    expect(t.exists('b')).toBe(true);
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'evicted', serviceId: 'a', semantics: 'nacos' }));
  });

  it('preserved.* metadata overrides the timings; the checker still runs every 5 s (vector 43)', () => {
    t = testCore({ semantics: 'nacos' });
    t.register({
      Name: 'svc',
      ID: 'fast',
      Meta: { 'preserved.heart.beat.interval': '1000', 'preserved.heart.beat.timeout': '3000', 'preserved.ip.delete.timeout': '6000' },
      Check: { TTL: '1s' },
    });
    t.clock.advance(5_000);
    expect(t.statusOf('service:fast')).toBe('critical');
    t.clock.advance(5_000);
    expect(t.exists('fast')).toBe(false);
  });

  it('rejects a timeout below the default interval (vector 43)', () => {
    t = testCore({ semantics: 'nacos' });
    expect(() => t.register({ Name: 'svc', Meta: { 'preserved.heart.beat.timeout': '3000' }, Check: { TTL: '1s' } })).toThrow(
      new ConsulHttpError(400, "Instance 'heart beat interval' must less than 'heart beat timeout' and 'ip delete timeout'."),
    );
  });

  it('protect threshold 0.5: 2 of 4 unhealthy returns all as passing; 3 of 4 returns the truth (vector 44)', () => {
    t = testCore({ semantics: 'nacos', nacos: { protectThreshold: 0.5 } });
    for (const id of ['a', 'b', 'c', 'd']) t.register({ Name: 'svc', ID: id, Check: { TTL: '5s' } });
    const entries = () => t.core.store.instancesOf('svc').map((service) => ({ service, checks: t.core.store.checksOf(service.id) }));
    t.core.updateTtl('service:a', 'critical', '');
    expect(t.core.model.protect!('svc', entries())).toBeUndefined();
    t.core.updateTtl('service:b', 'critical', '');
    const protectedList = t.core.model.protect!('svc', entries())!;
    expect(protectedList).toHaveLength(4);
    expect(protectedList.every((e) => e.checks.every((c) => c.status === 'passing'))).toBe(true);
    t.clock.advance(5_000);
    expect(t.core.status('x').protectedServices).toEqual(['svc']);
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'protect-threshold', service: 'svc', reached: true, healthy: 2, total: 4 }));
  });

  it('stop() leaves no timers behind', () => {
    t = testCore({ semantics: 'nacos' });
    t.register({ Name: 'svc', Check: { TTL: '5s' } });
    t.clock.advance(7_000);
    t.stop();
    expect(t.clock.pending).toBe(0);
  });
});
