import { describe, expect, it } from 'vitest';
import { checkTopologyText } from '../../config/check-topology-text.ts';
import { instanceEnv } from '../../engine/instance-env.ts';
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

describe('telemetry.otlp_endpoint on loopback, for a container instance', () => {
  const text = `name: otel
telemetry: {otlp_endpoint: http://127.0.0.1:4318}
services:
  greeter-srv:
    runtime: container
    container: {image: micro-dev/node:24}
    command: node main.js
`;
  const topology = checkTopologyText(text, '/project/micro.dev.yaml', { fileExists: () => true }).topology!;
  const service = topology.services.find((s) => s.name === 'greeter-srv')!;

  it('points OTEL_EXPORTER_OTLP_ENDPOINT at the relay on the network gateway, the rest of OTEL_* untouched', () => {
    expect(topology.telemetry.otlpEndpoint).toBe('http://127.0.0.1:4318');
    const { env } = instanceEnv(topology, service, 1, { registry: '127.0.0.1:8500', otlpEndpoint: topology.telemetry.otlpEndpoint! });
    expect(loopbackPorts(env).sort()).toEqual([4318, 8500]);
    const out = translateEnv(env, { gatewayIp: '172.30.7.1', relays: new Map([[8500, 8500], [4318, 40318]]), port: 4100 });
    expect(out.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://172.30.7.1:40318');
    expect(out.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('http/protobuf');
    expect(out.OTEL_SERVICE_NAME).toBe('greeter-srv');
    expect(out.MICRO_REGISTRY_ADDRESS).toBe('172.30.7.1:8500');
  });

  it('gives a loopback URL without a port its scheme\'s port (80, 443), path and lists kept', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost',
      A: 'https://127.0.0.1/v1/traces',
      B: 'http://[::1]/x,http://localhost:4318',
      C: 'http://localhost.example/', // not loopback
      D: 'http://127.0.0.10/', // not loopback either
    };
    expect(loopbackPorts(env).sort((a, b) => a - b)).toEqual([80, 443, 4318]);
    const out = translateEnv(env, { gatewayIp: '172.30.7.1', relays: new Map([[80, 40080], [443, 40443], [4318, 4318]]) });
    expect(out).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://172.30.7.1:40080',
      A: 'https://172.30.7.1:40443/v1/traces',
      B: 'http://172.30.7.1:40080/x,http://172.30.7.1:4318',
      C: 'http://localhost.example/',
      D: 'http://127.0.0.10/',
    });
  });
});
