import { describe, expect, it } from 'vitest';
import { formatRegistryStatus } from './format-status.ts';
import type { RegistryStatus } from './registry-types.ts';

const base: RegistryStatus = {
  semantics: 'eureka',
  profile: 'modern',
  timeScale: 0.01,
  address: '127.0.0.1:8500',
  index: 42,
  services: 1,
  instances: 2,
  passing: 2,
  warning: 0,
  critical: 0,
  heartbeats: 0,
  renewsLastMin: 3,
  renewThreshold: 3,
  selfPreservation: true,
  leases: [
    { serviceId: 'greeter-1', service: 'go.micro.srv.greeter', status: 'passing', lastHeartbeatAgoMs: 20_000, leaseLeftMs: 160_000, face: 'consul', version: '' },
    { serviceId: 'greeter-2', service: 'go.micro.srv.greeter', status: 'passing', lastHeartbeatAgoMs: null, leaseLeftMs: null, face: 'consul', version: '' },
  ],
};

describe('formatRegistryStatus', () => {
  it('shows the model, Eureka figures and one line per instance in wall-clock terms', () => {
    expect(formatRegistryStatus(base)).toBe(
      [
        'registry 127.0.0.1:8500  model eureka (timeScale 0.01)  profile modern  index 42',
        '1 service(s), 2 instance(s): 2 passing, 0 warning, 0 critical',
        'renews last minute 3 / threshold 3  self-preservation ON (expiry disabled)',
        'INSTANCE   SERVICE               STATUS   LAST HEARTBEAT  LEASE LEFT',
        'greeter-1  go.micro.srv.greeter  passing  200ms ago       1.6s',
        'greeter-2  go.micro.srv.greeter  passing  never           -',
      ].join('\n'),
    );
  });

  it('says when nothing is registered and lists Nacos protection', () => {
    const text = formatRegistryStatus({ ...base, semantics: 'nacos', timeScale: 1, instances: 0, leases: [], protectedServices: ['svc'] });
    expect(text).toContain('protect threshold reached for: svc');
    expect(text).toContain('no instances registered');
    expect(text).not.toContain('renews last minute');
  });
});
