import { describe, expect, it } from 'vitest';
import { loopbackPorts, serverPort, translateEnv } from './container-env.ts';

describe('container env translation', () => {
  const env = {
    MICRO_REGISTRY: 'consul',
    MICRO_REGISTRY_ADDRESS: '127.0.0.1:8500,localhost:8501',
    MICRO_PROXY_ADDRESS: 'http://127.0.0.1:9001/path',
    MICRO_BROKER_ADDRESS: '[::1]:9002',
    MICRO_SERVER_ADDRESS: '127.0.0.1:4100',
    OTHER: 'db.example:5432',
  };

  it('finds loopback ports in every value except the server variables', () => {
    expect(loopbackPorts(env).sort()).toEqual([8500, 8501, 9001, 9002]);
    expect(serverPort(env)).toBe(4100);
    expect(serverPort({ MICRO_SERVER_ADDRESS: ':8080' })).toBe(8080);
    expect(serverPort({})).toBeUndefined();
  });

  const relays = new Map([
    [8500, 8500],
    [8501, 40001],
    [9001, 9001],
    [9002, 9002],
  ]);

  it('points loopback addresses at the gateway relays and binds the server on all interfaces', () => {
    const out = translateEnv(env, { gatewayIp: '172.30.7.1', relays, port: 4100, advertise: '127.0.0.1:4100' });
    expect(out).toEqual({
      MICRO_REGISTRY: 'consul',
      MICRO_REGISTRY_ADDRESS: '172.30.7.1:8500,172.30.7.1:40001',
      MICRO_PROXY_ADDRESS: 'http://172.30.7.1:9001/path',
      MICRO_BROKER_ADDRESS: '172.30.7.1:9002',
      MICRO_SERVER_ADDRESS: '0.0.0.0:4100',
      MICRO_SERVER_ADVERTISE: '127.0.0.1:4100',
      OTHER: 'db.example:5432',
    });
  });

  it('keeps an advertise address that differs from the server address (something stands in front)', () => {
    const out = translateEnv(
      { MICRO_SERVER_ADDRESS: '127.0.0.1:4100', MICRO_SERVER_ADVERTISE: '127.0.0.1:5100' },
      { gatewayIp: '172.30.7.1', relays: new Map(), port: 4100, advertise: '172.30.7.2:4100' },
    );
    expect(out.MICRO_SERVER_ADVERTISE).toBe('127.0.0.1:5100');
    const same = translateEnv(
      { MICRO_SERVER_ADDRESS: '127.0.0.1:4100', MICRO_SERVER_ADVERTISE: '127.0.0.1:4100' },
      { gatewayIp: '172.30.7.1', relays: new Map(), port: 4100, advertise: '172.30.7.2:4100' },
    );
    expect(same.MICRO_SERVER_ADVERTISE).toBe('172.30.7.2:4100');
  });

  it('leaves a loopback address without a relay untouched', () => {
    const out = translateEnv({ X: '127.0.0.1:1' }, { gatewayIp: '172.30.7.1', relays: new Map() });
    expect(out.X).toBe('127.0.0.1:1');
  });
});
