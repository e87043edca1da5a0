import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.ts';
import { readMicroEnv } from './micro-env.ts';

describe('parseDuration', () => {
  it.each([
    ['30', 30_000],
    ['0.5', 500],
    ['30s', 30_000],
    ['300ms', 300],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['250us', 0.25],
  ])('%s -> %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('names the variable and the value it rejects', () => {
    expect(() => parseDuration('5 s', 'MICRO_REGISTER_TTL')).toThrow('MICRO_REGISTER_TTL: invalid duration "5 s"');
  });
});

describe('readMicroEnv', () => {
  it('defaults like go-micro, on loopback', () => {
    const e = readMicroEnv({});
    expect(e).toMatchObject({
      serverAddress: '127.0.0.1:0',
      registry: 'consul',
      registryAddress: '127.0.0.1:8500',
      registerTtlMs: 60_000,
      registerIntervalMs: 30_000,
      clientTimeoutMs: 5_000,
      clientRetries: 1,
    });
    expect(e.serverId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads the MICRO_* variables', () => {
    const e = readMicroEnv({
      MICRO_SERVER_ADDRESS: ':9090',
      MICRO_SERVER_ID: 'abc',
      MICRO_SERVER_ADVERTISE: '127.0.0.2:1',
      MICRO_REGISTRY_ADDRESS: '127.0.0.1:18500',
      MICRO_REGISTER_TTL: '300ms',
      MICRO_REGISTER_INTERVAL: '1',
      MICRO_PROXY_ADDRESS: '127.0.0.1:8081',
      MICRO_BROKER_ADDRESS: '127.0.0.1:9999',
    });
    expect(e).toMatchObject({
      serverAddress: '127.0.0.1:9090',
      serverId: 'abc',
      advertise: '127.0.0.2:1',
      registryAddress: '127.0.0.1:18500',
      registerTtlMs: 300,
      registerIntervalMs: 1000,
      proxyAddress: '127.0.0.1:8081',
      brokerAddress: '127.0.0.1:9999',
    });
  });
});
