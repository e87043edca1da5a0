/**
 * A topology with greeter-srv on Eureka and greeter-api on Nacos (services.<name>.registry): the engine
 * starts both faces on the embedded registry, the instances register through them over their own registry
 * links, and the gateway (a Consul reader) routes to greeter-api, which finds greeter-srv through Nacos.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { eventually, writeTestTopology } from '../support/cli-process.ts';

let orchestrator: Orchestrator;

beforeAll(async () => {
  const topo = await writeTestTopology();
  let yaml = await readFile(topo.file, 'utf8');
  yaml = yaml
    .replace(/^registry: \{ (.*) \}$/m, 'registry: { $1, eureka: { port: 0 }, nacos: { port: 0 } }')
    .replace('    replicas: 2\n', '    replicas: 2\n    registry: eureka\n')
    .replace('    depends_on: [greeter-srv]\n', '    depends_on: [greeter-srv]\n    registry: nacos\n');
  await writeFile(topo.file, yaml);
  const topology = await loadTopology(topo.file);
  expect(topology.services.map((s) => [s.name, s.registry ?? 'consul'])).toEqual([
    ['greeter-srv', 'eureka'],
    ['greeter-api', 'nacos'],
    ['greeter-web', 'consul'],
  ]);
  orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology) });
  await orchestrator.start();
}, 60_000);
afterAll(async () => {
  await orchestrator?.shutdown();
});

describe('greeter-srv on Eureka, greeter-api on Nacos, through the engine', () => {
  it('every instance is ready and registered through its face', async () => {
    const snap = orchestrator.snapshot();
    expect(snap.instances.filter((i) => i.state === 'ready').map((i) => i.instance).sort()).toEqual(['greeter-api-1', 'greeter-srv-1', 'greeter-srv-2', 'greeter-web-1']);
    const res = await fetch(`${snap.urls.registry}/v1/agent/services`);
    const ids = Object.keys((await res.json()) as Record<string, unknown>);
    expect(ids.filter((id) => id.startsWith('eureka:GO.MICRO.SRV.GREETER:'))).toHaveLength(2);
    expect(ids.filter((id) => id.startsWith('nacos:public:DEFAULT_GROUP@@go.micro.api.greeter:'))).toHaveLength(1);
  });

  it('the gateway routes to greeter-api (Nacos), which calls greeter-srv (Eureka)', async () => {
    const gateway = orchestrator.snapshot().urls.gateway;
    const text = await eventually(async () => {
      const res = await fetch(`${gateway}/greeter/say/hello?name=Faces`);
      return res.status === 200 ? res.text() : undefined;
    }, 15_000, 'a 200 through the gateway');
    expect(text).toBe('{"message":"Hello Faces"}');
  });
});
