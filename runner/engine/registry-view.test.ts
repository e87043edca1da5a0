import { describe, expect, it } from 'vitest';
import { describeRegistryEvent, instanceLease } from './registry-view.ts';
import type { RegistryStatus } from '../registry/registry-types.ts';

describe('describeRegistryEvent', () => {
  it.each([
    [{ type: 'critical', at: 0, checkId: 'service:a', serviceId: 'a', service: 's', output: 'TTL expired' }, 'a is critical (TTL expired)'],
    [{ type: 'evicted', at: 0, serviceId: 'a', service: 's', semantics: 'eureka' }, 'a evicted (eureka lease expired)'],
    [{ type: 'deregistered', at: 0, serviceId: 'a', service: 's', reason: 'reaped' }, 'a removed (reaped)'],
    [{ type: 'deregistered', at: 0, serviceId: 'a', service: 's', reason: 'api' }, undefined],
    [{ type: 'self-preservation', at: 0, enabled: true, renewsLastMin: 3, threshold: 6 }, 'self-preservation ON: evictions stop (renews last minute 3, threshold 6)'],
    [{ type: 'passing', at: 0, checkId: 'service:a', serviceId: 'a', service: 's', output: '' }, undefined],
    [{ type: 'lock-acquired', at: 0, key: 'svc/leader', session: 's1', name: 'leader-srv-2' }, 'leader-srv-2 holds lock svc/leader'],
    [{ type: 'session-ended', at: 0, session: 's1', name: 'leader-srv-2', reason: 'ttl', behavior: 'release', keys: ['svc/leader'] }, 'session leader-srv-2 ended (TTL expired): released svc/leader'],
    [{ type: 'session-ended', at: 0, session: 's1', name: '', reason: 'check', behavior: 'delete', keys: [] }, 'session s1 ended (check critical)'],
    [{ type: 'session-ended', at: 0, session: 's1', name: 'x', reason: 'destroyed', behavior: 'release', keys: ['k'] }, undefined],
  ] as const)('%o', (event, line) => {
    expect(describeRegistryEvent(event as never)).toBe(line);
  });
});

describe('instanceLease', () => {
  const status = {
    timeScale: 0.1,
    leases: [{ serviceId: 'a', service: 's', status: 'critical', lastHeartbeatAgoMs: 20_000, leaseLeftMs: null }],
  } as unknown as RegistryStatus;

  it('converts model time to wall time and reports critical', () => {
    expect(instanceLease(status, 'a')).toEqual({ heartbeatAgeMs: 2000, leaseLeftMs: undefined, critical: true });
  });

  it('is unknown for an instance the registry does not hold', () => {
    expect(instanceLease(status, 'b')).toEqual({ heartbeatAgeMs: undefined, leaseLeftMs: undefined });
    expect(instanceLease(status, undefined)).toEqual({ heartbeatAgeMs: undefined, leaseLeftMs: undefined });
  });
});
