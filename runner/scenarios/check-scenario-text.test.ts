import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../config/config-problem.ts';
import { checkScenarioText } from './check-scenario-text.ts';
import { DEFAULT_TOPOLOGY_FILE, REPO_ROOT } from './scenario-paths.ts';

const base = { text: readFileSync(DEFAULT_TOPOLOGY_FILE, 'utf8'), file: DEFAULT_TOPOLOGY_FILE };
const file = path.join(REPO_ROOT, 'scenarios', 'x.yaml');
const problems = (text: string) => checkScenarioText(text, file, base).problems.map((p) => formatProblem(p, REPO_ROOT));

describe('checkScenarioText', () => {
  it('merges the topology override over micro.dev.yaml, frees every port and names steps', () => {
    const { scenario, problems: found } = checkScenarioText(
      [
        'topology:',
        '  registry: {semantics: eureka, time_scale: 0.01}',
        '  services:',
        '    greeter-srv: {replicas: 3}',
        'load: {rate: 50}',
        'steps:',
        '  - {at: 1s, fault: kill, target: {service: greeter-srv, count: 1}}',
        '  - {id: slow, at: 1500ms, fault: latency, latency: 200ms, duration: 2s}',
        'expect:',
        '  - {metric: time_to_recover, step: step-1, max: 3s}',
      ].join('\n'),
      file,
      base,
    );
    expect(found).toEqual([]);
    const t = scenario!.topology;
    expect(t.registry).toMatchObject({ semantics: 'eureka', timeScale: 0.01, port: 0 });
    expect([t.gateway.port, t.proxy.port, t.web.port, t.faults.port]).toEqual([0, 0, 0, 0]);
    expect(t.services.map((s) => [s.name, s.replicas, s.port])).toEqual([
      ['greeter-srv', 3, 0],
      ['greeter-api', 1, 0],
      ['greeter-web', 1, 0],
    ]);
    expect(t.services[0]!.module).toBe(path.join(REPO_ROOT, 'services/greeter-srv/main.ts'));
    expect(scenario!.steps.map((s) => [s.id, s.at, s.duration])).toEqual([
      ['step-1', 1000, undefined],
      ['slow', 1500, 2000],
    ]);
    expect(scenario!.loads[0]).toMatchObject({ name: 'load', through: 'gateway', rate: 50, concurrency: 100, timeout: 2000 }); // rate x timeout: open loop
    expect(scenario!.seed).toBe(1);
    expect(scenario!.rollbacks).toEqual([{ action: 'heal' }]);
  });

  it('reports shape problems at FILE:LINE:COL with did-you-mean', () => {
    expect(
      problems(
        [
          'seed: 3',
          'load: {rate: 50, concurency: 4}',
          'steps:',
          '  - {id: cut, at: 1x, fault: partition, target: {service: greeter-srv, count: 1}}',
          '  - {at: 2s, fault: partiton}',
        ].join('\n'),
      ),
    ).toEqual([
      'scenarios/x.yaml:2:18: unknown key "concurency" in load (did you mean "concurrency"?)',
      'scenarios/x.yaml:4:19: steps[0].at: expected a duration such as 300ms, 5s, 1m30s, or a number of milliseconds',
      'scenarios/x.yaml:5:21: unknown fault "partiton" in steps[1] (did you mean "partition"?)',
    ]);
  });

  it('reports cross-reference problems (services, steps, loads, min/max) at the offending value', () => {
    expect(
      problems(
        [
          'topology:',
          '  registry: {time_scale: 0.05}',
          'steps:',
          '  - {id: cut, at: 1s, fault: kill, target: {service: greeter-sr, count: 1}}',
          'expect:',
          '  - {metric: availability, during: cutt, min: 99}',
          '  - {metric: passing, during: cut, service: greeter-srv}',
        ].join('\n'),
      ),
    ).toEqual([
      'scenarios/x.yaml:4:54: unknown service "greeter-sr" (did you mean "greeter-srv"?); known: greeter-srv, greeter-api, greeter-web',
      'scenarios/x.yaml:6:14: availability needs a load: section',
      'scenarios/x.yaml:6:36: unknown step "cutt" (did you mean "cut"?); known: run, before, after, cut',
      'scenarios/x.yaml:7:5: passing needs min or max',
    ]);
  });

  it('checks the topology override with the topology schema, and pause against the runtime', () => {
    expect(problems('topology:\n  registry: {semantics: zookeeper}\n')).toEqual([
      'scenarios/x.yaml:2:25: unknown semantics "zookeeper" in topology.registry (expected one of consul, eureka, nacos)',
    ]);
    expect(problems('steps:\n  - {at: 1s, fault: pause, target: {service: greeter-srv}}\n')).toEqual([
      'scenarios/x.yaml:2:21: pause needs runtime process or container (a worker thread cannot be frozen); set topology.services.<name>.runtime',
    ]);
    // Against the Compose export every service is a container: docker pause freezes a worker's too.
    expect(checkScenarioText('steps:\n  - {at: 1s, fault: pause, target: {service: greeter-srv}}\n', file, { ...base, containers: true }).problems).toEqual([]);
    expect(problems('')).toEqual(['scenarios/x.yaml:1:1: the scenario file is empty']);
  });

  it('checks a canary step: the new version and the baseline run, each with its own version, stages rising', () => {
    const canary = (step: string, services = '    greeter-srv: {version: v1}\n    greeter-srv-v2: {module: services/greeter-srv/main.ts, tier: srv, version: v2}\n') =>
      problems(`topology:\n  services:\n${services}steps:\n  - ${step}\n`);
    expect(canary('{fault: canary, at: 1s, target: {service: greeter-srv-v2}, baseline: greeter-srv}')).toEqual([]);
    expect(canary('{fault: canary, at: 1s, target: {service: greeter-srv-v2}, baseline: greeter-sv, stages: [50, 10]}')).toEqual([
      'scenarios/x.yaml:6:74: unknown service "greeter-sv" (did you mean "greeter-srv"?); known: greeter-srv, greeter-api, greeter-web, greeter-srv-v2',
      'scenarios/x.yaml:6:94: stages must rise (each share above the one before)',
    ]);
    expect(canary('{fault: canary, at: 1s, target: {tier: srv}, baseline: greeter-srv}')).toEqual([
      "scenarios/x.yaml:6:29: a canary step needs target: {service: NEW} (the new version's service)",
    ]);
    expect(canary('{fault: canary, at: 1s, target: {service: greeter-api}, baseline: greeter-srv}', '    greeter-srv: {version: v2}\n')).toEqual([
      'scenarios/x.yaml:5:47: greeter-api needs a version (topology.services.greeter-api.version)',
    ]);
    expect(canary('{fault: canary, at: 1s, target: {service: greeter-srv-v2}, baseline: greeter-srv}', '    greeter-srv: {version: v2}\n    greeter-srv-v2: {module: services/greeter-srv/main.ts, version: v2}\n')).toEqual([
      'scenarios/x.yaml:6:74: greeter-srv and greeter-srv-v2 both register version v2: a canary needs two versions',
    ]);
  });

  it('accepts every built-in scenario', () => {
    const dir = path.join(REPO_ROOT, 'scenarios');
    for (const name of ['crash-restart', 'heartbeat-loss', 'heartbeat-loss-eureka', 'latency-injection', 'network-partition', 'nginx-spof', 'registry-outage', 'rolling-restart', 'canary', 'canary-rollback']) {
      const f = path.join(dir, `${name}.yaml`);
      expect(checkScenarioText(readFileSync(f, 'utf8'), f, base).problems.map((p) => formatProblem(p, REPO_ROOT)), name).toEqual([]);
    }
  });
  it('registry-partition names registry members and needs registry.peers', () => {
    const text = (registry: string, isolate: string) =>
      [`topology:`, `  registry: ${registry}`, 'steps:', `  - {at: 1s, fault: registry-partition, isolate: ${isolate}}`].join('\n');
    expect(problems(text('{semantics: eureka, peers: 3}', 'eureka-3'))).toEqual([]);
    expect(problems(text('{semantics: eureka, peers: 3}', 'eureka-4'))).toEqual([
      'scenarios/x.yaml:4:50: unknown registry member "eureka-4" (did you mean "eureka-1"?); known: eureka-1, eureka-2, eureka-3',
    ]);
    expect(problems(text('{semantics: eureka}', 'eureka-1'))).toEqual([
      'scenarios/x.yaml:4:21: registry-partition needs a registry of several members: topology.registry.peers: 3 (Eureka peers) or {kind: etcd, nodes: 3}',
    ]);
    // An etcd micro-dev does not start has no members it could split.
    expect(problems(text('{kind: etcd, address: "etcd-1:2379,etcd-2:2379"}', 'etcd-1'))).toEqual([
      'scenarios/x.yaml:4:21: registry-partition acts on the etcd members micro-dev starts; topology.registry.address points at an etcd cluster it does not run (use registry-outage or heartbeat-loss there)',
    ]);
    const { scenario } = checkScenarioText(text('{semantics: eureka, peers: 3, eureka: {serve: true, port: 8761}}', '[eureka-2, eureka-3]'), file, base);
    expect(scenario!.topology.registry).toMatchObject({ peers: 3, eureka: { serve: true, port: 0 } });
  });
});
