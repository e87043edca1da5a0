import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from './test-core.ts';

describe('consul lease model (TTL checks on a ManualClock)', () => {
  let t: ReturnType<typeof testCore>;
  afterEach(() => t.stop());

  it('a TTL check starts critical; pass with a note, then expiry keeps the last output (vector 11, 13)', () => {
    t = testCore();
    t.register({ Name: 'web', Check: { TTL: '10s' } });
    expect(t.core.store.getCheck('service:web')).toMatchObject({ status: 'critical', name: "Service 'web' check", type: 'ttl' });
    t.core.updateTtl('service:web', 'passing', 'ok');
    expect(t.core.store.getCheck('service:web')).toMatchObject({ status: 'passing', output: 'ok' });
    t.clock.advance(9_999);
    expect(t.statusOf('service:web')).toBe('passing');
    t.clock.advance(2);
    expect(t.core.store.getCheck('service:web')).toMatchObject({
      status: 'critical',
      output: 'TTL expired (last output before timeout follows): ok',
    });
    expect(t.events.map((e) => e.type)).toEqual(['registered', 'passing', 'critical']);
  });

  it('expiry without prior output says just "TTL expired"; Status passing lasts one TTL (vector 14)', () => {
    t = testCore();
    t.register({ Name: 'web', Check: { TTL: '5s', Status: 'passing' } });
    t.clock.advance(4_999);
    expect(t.statusOf('service:web')).toBe('passing');
    t.clock.advance(2);
    expect(t.core.store.getCheck('service:web')).toMatchObject({ status: 'critical', output: 'TTL expired' });
  });

  it('each pass resets the timer', () => {
    t = testCore();
    t.register({ Name: 'web', Check: { TTL: '10s' } });
    for (let i = 0; i < 5; i++) {
      t.clock.advance(8_000);
      t.core.updateTtl('service:web', 'passing', '');
    }
    expect(t.statusOf('service:web')).toBe('passing');
  });

  it('DeregisterCriticalServiceAfter below 1m is raised to 1m; the reaper runs every 30s (vector 23)', () => {
    t = testCore();
    t.register({ Name: 'web', Checks: [{ TTL: '5s', DeregisterCriticalServiceAfter: '10s' }, { TTL: '1h', CheckID: 'other' }] });
    t.clock.advance(60_000);
    expect(t.exists('web')).toBe(true);
    t.clock.advance(35_000);
    expect(t.exists('web')).toBe(false);
    expect(t.core.store.getCheck('other')).toBeUndefined();
    expect(t.events.at(-1)).toMatchObject({ type: 'deregistered', serviceId: 'web', reason: 'reaped' });
  });

  it('the critical clock starts at the first critical update, not at a critical registration', () => {
    t = testCore();
    t.register({ Name: 'web', Check: { TTL: '10m', Status: 'critical', DeregisterCriticalServiceAfter: '1m' } });
    t.clock.advance(5 * 60_000);
    expect(t.exists('web')).toBe(true);
    t.core.updateTtl('service:web', 'critical', 'down');
    t.clock.advance(60_000);
    expect(t.exists('web')).toBe(true);
    t.clock.advance(30_001);
    expect(t.exists('web')).toBe(false);
  });

  it('re-register keeps check state; only ?replace-existing-checks drops missing checks (vectors 21, 22)', () => {
    t = testCore();
    t.register({ Name: 'web', Checks: [{ CheckID: 'a', TTL: '10s' }, { CheckID: 'b', TTL: '10s' }] });
    t.core.updateTtl('a', 'passing', 'fine');
    t.register({ Name: 'web', Checks: [{ CheckID: 'a', TTL: '10s' }] });
    expect(t.core.store.getCheck('a')).toMatchObject({ status: 'passing', output: 'fine' });
    expect(t.core.store.getCheck('b')).toBeDefined();
    t.register({ Name: 'web', Checks: [{ CheckID: 'a', TTL: '10s' }] }, true);
    expect(t.core.store.getCheck('b')).toBeUndefined();
    expect(t.events.filter((e) => e.type === 'registered')).toHaveLength(1);
  });

  it('truncates output to 4096 bytes with the captured note (vector 20)', () => {
    t = testCore();
    t.register({ Name: 'web', Check: { TTL: '10s' } });
    t.core.updateTtl('service:web', 'passing', 'x'.repeat(5000));
    expect(t.core.store.getCheck('service:web')?.output).toBe(`${'x'.repeat(4096)} ... (captured 4096 of 5000 bytes)`);
  });

  it('status() reports heartbeat age and TTL left in model ms', () => {
    t = testCore();
    t.register({ Name: 'web', Check: { TTL: '10s' } });
    t.clock.advance(1000);
    t.core.updateTtl('service:web', 'passing', '');
    t.clock.advance(3000);
    const s = t.core.status('x');
    expect(s).toMatchObject({ semantics: 'consul', instances: 1, passing: 1, critical: 0 });
    expect(s.leases[0]).toEqual({ serviceId: 'web', service: 'web', status: 'passing', lastHeartbeatAgoMs: 3000, leaseLeftMs: 7000, face: 'consul', version: '' });
  });

  it('stop() leaves no timers behind', () => {
    t = testCore();
    t.register({ Name: 'web', Check: { TTL: '10s' } });
    t.stop();
    expect(t.clock.pending).toBe(0);
  });
});
