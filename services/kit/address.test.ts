import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { advertiseHost } from './address.ts';

const nic = (address: string, internal = false) => ({ family: 'IPv4', address, internal });

describe('advertiseHost (go-micro addr.Extract)', () => {
  it('keeps a concrete bind host', () => {
    expect(advertiseHost('127.0.0.1', { eth0: [nic('10.0.0.5')] })).toBe('127.0.0.1');
  });

  it.each([
    ['a private address before a public one', { lo: [nic('127.0.0.1', true)], eth0: [nic('8.8.4.4')], eth1: [nic('172.18.0.3')] }, '172.18.0.3'],
    ['the first non-loopback one when none is private', { lo: [nic('127.0.0.1', true)], eth0: [nic('8.8.4.4')] }, '8.8.4.4'],
    ['loopback when there is nothing else', { lo: [nic('127.0.0.1', true)] }, '127.0.0.1'],
    ['IPv4 only', { eth0: [{ family: 'IPv6', address: 'fd00::1', internal: false }, nic('192.168.1.9')] }, '192.168.1.9'],
  ])('for 0.0.0.0 picks %s', (_what, interfaces, expected) => {
    expect(advertiseHost('0.0.0.0', interfaces)).toBe(expected);
    expect(advertiseHost('::', interfaces)).toBe(expected);
  });

  it("picks one of this machine's own addresses", () => {
    const own = Object.values(networkInterfaces()).flatMap((l) => l ?? []).map((a) => a.address);
    expect([...own, '127.0.0.1']).toContain(advertiseHost('0.0.0.0', networkInterfaces()));
  });
});
