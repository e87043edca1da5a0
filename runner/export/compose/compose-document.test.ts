import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTopologyText } from '../../config/check-topology-text.ts';
import type { Topology } from '../../config/topology.ts';
import { planContainers } from '../container-plan.ts';
import { infraPorts } from '../infra-config.ts';
import { composeDocument, etcdComposeMembers } from './compose-document.ts';
import { etcdEndpoints } from '../etcd-members.ts';

const root = '/project';

function topologyOf(yaml: string): Topology {
  const check = checkTopologyText(yaml, path.join(root, 'micro.dev.yaml'), { fileExists: () => true });
  if (!check.topology) throw new Error(check.problems.map((p) => p.message).join('\n'));
  return check.topology;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the document is plain data, walked by the assertions
function compose(yaml: string, bases: Record<string, string> = {}, consulImage?: string): { services: Record<string, any>; warnings: string[] } {
  const topology = topologyOf(yaml);
  const plans = planContainers(topology, { projectRoot: root, nodeImage: 'micro-dev/node:24', bases, infra: { consul: 'infra:8500', broker: 'infra:8083' } });
  const doc = composeDocument({
    topology,
    plans,
    ports: infraPorts(topology),
    nodeImage: 'micro-dev/node:24',
    microDevBin: '/app/bin/micro-dev.js',
    infraConfig: '/app/micro-dev-infra.yaml',
    ...(consulImage ? { consulImage } : {}),
  });
  return { services: doc.services, warnings: plans.flatMap((p) => p.warnings) };
}

describe('composeDocument', () => {
  const yaml = `
name: shop
gateway: {port: 9080}
services:
  db-srv:
    runtime: container
    container: {image: postgres:16}
    readiness: {tcp: {port: 5432}}
  orders-srv:
    module: services/orders/main.ts
    replicas: 3
    port: 7000
    depends_on: {db-srv: {condition: started}}
    restart: {policy: on-failure, max_restarts: 2}
    env: {LOG: debug}
    version: v2
  orders-api:
    runtime: process
    command: [python3, -u, main.py]
    cwd: services/api
    readiness: {http: {path: /health, port: 7001}}
    depends_on: [orders-srv]
    restart: no
`;

  it('runs a worker module on the app image with its replicas, port, env and a registered check', () => {
    const { services } = compose(yaml);
    const srv = services['orders-srv'];
    expect(srv.build).toEqual({ context: './app', args: { BASE_IMAGE: 'micro-dev/node:24' } });
    expect(srv.command).toEqual(['node', '/app/services/orders/main.ts']);
    expect(srv.deploy).toEqual({ replicas: 3 });
    expect(srv.environment).toMatchObject({ MICRO_REGISTRY_ADDRESS: 'infra:8500', MICRO_SERVER_ADDRESS: '0.0.0.0:7000', MICRO_BROKER_ADDRESS: 'infra:8083', MICRO_SERVER_VERSION: 'v2', LOG: 'debug' });
    expect(srv.environment).not.toHaveProperty('MICRO_SERVER_ID');
    expect(srv.environment).not.toHaveProperty('PATH');
    // One environment for every replica: no per-instance id.
    expect(srv.environment.OTEL_RESOURCE_ATTRIBUTES).toBe('service.namespace=shop');
    expect(srv.healthcheck.test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(srv.healthcheck.test[3]).toContain("s.Port===7000");
    expect(srv.restart).toBe('on-failure:2');
  });

  it('maps depends_on conditions: started -> service_started; ready -> service_healthy when the target has a check', () => {
    const { services } = compose(yaml);
    expect(services['orders-srv'].depends_on).toEqual({ infra: { condition: 'service_healthy' }, 'db-srv': { condition: 'service_started' } });
    expect(services['orders-api'].depends_on).toEqual({ infra: { condition: 'service_healthy' }, 'orders-srv': { condition: 'service_healthy' } });
  });

  it("keeps a container service's own image, without a Node check it could not run", () => {
    const { services } = compose(yaml);
    expect(services['db-srv'].image).toBe('postgres:16');
    expect(services['db-srv'].build).toBeUndefined();
    expect(services['db-srv'].healthcheck).toBeUndefined();
  });

  it('runs a process command in its cwd on the base it is given, and warns when it has none', () => {
    const without = compose(yaml);
    expect(without.services['orders-api'].command).toEqual(['python3', '-u', 'main.py']);
    expect(without.services['orders-api'].working_dir).toBe('/app/services/api');
    expect(without.services['orders-api'].restart).toBe('no');
    expect(without.warnings).toEqual([expect.stringContaining('orders-api: its command (python3 -u main.py) runs on micro-dev/node:24')]);
    const withBase = compose(yaml, { 'orders-api': 'python:3.12-slim' });
    expect(withBase.services['orders-api'].build.args).toEqual({ BASE_IMAGE: 'python:3.12-slim' });
    expect(withBase.warnings).toEqual([]);
    expect(() => compose(yaml, { nope: 'x' })).toThrow('--base nope=...: the topology has no service nope');
  });

  it('publishes the gateway, proxy, web gateway and embedded registry on movable host ports; a real Consul replaces the last', () => {
    const embedded = compose(yaml).services.infra;
    expect(embedded.ports).toEqual([
      '127.0.0.1:${MICRO_DEV_GATEWAY_PORT:-9080}:9080',
      '127.0.0.1:${MICRO_DEV_PROXY_PORT:-8081}:8081',
      '127.0.0.1:${MICRO_DEV_WEB_PORT:-8082}:8082',
      '127.0.0.1:${MICRO_DEV_REGISTRY_PORT:-8500}:8500',
    ]);
    expect(embedded.command).toEqual(['node', '/app/bin/micro-dev.js', 'up', '--no-tui', '--no-watch', '-c', '/app/micro-dev-infra.yaml']);
    const consul = compose(yaml, {}, 'hashicorp/consul:1.17').services;
    expect(consul.consul.image).toBe('hashicorp/consul:1.17');
    expect(consul.infra.ports).toHaveLength(3);
    expect(consul.infra.depends_on).toEqual({ consul: { condition: 'service_healthy' } });
  });

  it('registry kind etcd: one etcd service (or three), published, healthy before infra; services speak etcd and check it', () => {
    const etcdYaml = 'name: shop\nregistry: {kind: etcd, nodes: 3}\nservices:\n  orders-srv:\n    module: services/orders/main.ts\n    port: 7000\n';
    const topology = topologyOf(etcdYaml);
    const members = etcdComposeMembers(topology.registry.nodes);
    const endpoints = etcdEndpoints(members);
    expect(endpoints).toBe('etcd-1:2379,etcd-2:2379,etcd-3:2379');
    const plans = planContainers(topology, { projectRoot: root, nodeImage: 'micro-dev/node:24', bases: {}, infra: { consul: 'infra:8500', etcd: endpoints, broker: 'infra:8083' } });
    const doc = composeDocument({ topology, plans, ports: infraPorts(topology), nodeImage: 'micro-dev/node:24', microDevBin: '/app/bin/micro-dev.js', infraConfig: '/app/micro-dev-infra.yaml', etcd: { image: 'quay.io/coreos/etcd:v3.4.34', members } });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plain data, walked by the assertions
    const services = doc.services as Record<string, any>;
    expect(Object.keys(services)).toEqual(['etcd-1', 'etcd-2', 'etcd-3', 'infra', 'orders-srv']);
    const first = services['etcd-1'];
    expect(first.command.slice(0, 3)).toEqual(['/usr/local/bin/etcd', '--name', 'etcd-1']);
    expect(first.command).toEqual(expect.arrayContaining(['--advertise-client-urls', 'http://etcd-1:2379', '--initial-cluster-token', 'shop']));
    expect(first.ports).toEqual(['127.0.0.1:${MICRO_DEV_REGISTRY_PORT:-2379}:2379']);
    expect(services['etcd-2'].ports).toBeUndefined();
    expect(first.healthcheck.test).toEqual(['CMD', '/usr/local/bin/etcdctl', '--endpoints', 'http://127.0.0.1:2379', '--command-timeout', '3s', 'endpoint', 'health']);
    // infra no longer publishes a registry of its own and waits for every member.
    expect(services.infra.ports).toHaveLength(3);
    expect(services.infra.depends_on).toEqual({ 'etcd-1': { condition: 'service_healthy' }, 'etcd-2': { condition: 'service_healthy' }, 'etcd-3': { condition: 'service_healthy' } });
    expect(services.infra.healthcheck.test[3]).not.toContain('/v1/status/leader');
    const srv = services['orders-srv'];
    expect(srv.environment).toMatchObject({ MICRO_REGISTRY: 'etcd', MICRO_REGISTRY_ADDRESS: endpoints });
    expect(srv.healthcheck.test[3]).toContain("'http://'+e+'/v3/kv/range'");
    expect(srv.healthcheck.test[3]).toContain('===7000');
    expect(etcdComposeMembers(1)).toEqual([{ name: 'etcd', host: 'etcd' }]);
  });

  it('refuses a module outside the project (the image holds only the project)', () => {
    expect(() => compose('services:\n  x-srv:\n    module: ../elsewhere/main.ts\n')).toThrow('service x-srv: /elsewhere/main.ts is outside the project folder /project');
  });
});
