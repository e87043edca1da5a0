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
import { eventually, runCli, writeTestTopology, type TestTopology } from '../support/cli-process.ts';

let orchestrator: Orchestrator;
let topo: TestTopology;

beforeAll(async () => {
  topo = await writeTestTopology();
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

  const state = (instance: string) => orchestrator.snapshot().instances.find((i) => i.instance === instance)?.state;
  const status = async () => (await (await fetch(`${orchestrator.snapshot().urls.registry}/v1/micro-dev/status`)).json()) as {
    faces?: { eureka?: { selfPreservation?: boolean } };
    leases: { serviceId: string; status: string }[];
  };

  it('heartbeat-loss on a Nacos instance: unhealthy after 15 s of model time, back on its next beat once healed', async () => {
    await orchestrator.command({ type: 'toggle-fault', instance: 'greeter-api-1', fault: 'heartbeat-loss' });
    await eventually(async () => state('greeter-api-1') === 'unhealthy', 10_000, 'greeter-api-1 to turn unhealthy');
    await orchestrator.command({ type: 'toggle-fault', instance: 'greeter-api-1', fault: 'heartbeat-loss' });
    await eventually(async () => state('greeter-api-1') === 'ready', 10_000, 'greeter-api-1 to be ready again');
    const leases = (await status()).leases.filter((l) => l.serviceId.startsWith('nacos:'));
    expect(leases.map((l) => l.status)).toEqual(['passing']);
  }, 30_000);

  it('heartbeat-loss on an Eureka instance: no renewals, and self-preservation keeps it listed', async () => {
    // Both renewing: a full model minute with 4 renewals > 3 turns expiry on (self-preservation off).
    await eventually(async () => (await status()).faces?.eureka?.selfPreservation === false, 25_000, 'self-preservation off while both renew');
    await orchestrator.command({ type: 'toggle-fault', instance: 'greeter-srv-1', fault: 'heartbeat-loss' });
    // Two instances renew 2/min each; one silent leaves 2 <= (int)(2 x 2 x 0.85) = 3: expiry turns off.
    await eventually(async () => (await status()).faces?.eureka?.selfPreservation === true, 25_000, 'self-preservation to engage');
    const leases = (await status()).leases.filter((l) => l.serviceId.startsWith('eureka:'));
    expect(leases.map((l) => l.status)).toEqual(['passing', 'passing']);
    await orchestrator.command({ type: 'toggle-fault', instance: 'greeter-srv-1', fault: 'heartbeat-loss' });
    await eventually(async () => (await status()).faces?.eureka?.selfPreservation === false, 25_000, 'self-preservation to end once renewals are back');
  }, 90_000);

  it('each instance shows the face it registered through (status --json is this snapshot)', async () => {
    const faceOf = async (instance: string) =>
      eventually(async () => orchestrator.snapshot().instances.find((i) => i.instance === instance)?.face, 10_000, `${instance}'s face in the snapshot`);
    expect(await faceOf('greeter-srv-1')).toBe('eureka');
    expect(await faceOf('greeter-api-1')).toBe('nacos');
    expect(await faceOf('greeter-web-1')).toBe('consul');
    // The kit registers go-micro's default version; Nacos reports its instance weight (1 unless set).
    const api = orchestrator.snapshot().instances.find((i) => i.instance === 'greeter-api-1')!;
    expect(api).toMatchObject({ version: 'latest', weight: 1 });
  });

  it('services --json names each node\'s face and weight (the CLI reading the same registry)', async () => {
    const { code, output } = await runCli(['services', '--json', '-c', topo.file]);
    expect(code, output).toBe(0);
    const services = JSON.parse(output) as { name: string; versions: { version: string; nodes: { face: string; weight: number }[] }[] }[];
    const faces = Object.fromEntries(services.map((s) => [s.name, s.versions.flatMap((v) => v.nodes.map((n) => `${n.face} ${v.version} w${n.weight}`))]));
    expect(faces['go.micro.srv.greeter']).toEqual(['eureka latest w1', 'eureka latest w1']);
    expect(faces['go.micro.api.greeter']).toEqual(['nacos latest w1']);
    expect(faces['go.micro.web.greeter']).toEqual(['consul latest w1']);
  });

  it('registry-outage for every face: calls keep flowing from cached nodes; Nacos deletes its silent instance, Eureka leases outlast it; all back after the heal', async () => {
    const plane = orchestrator.faultPlane!;
    const links = plane.links().map((l) => l.name).filter((n) => n.endsWith('/registry'));
    expect(links).toEqual(expect.arrayContaining(['greeter-srv-1/registry', 'greeter-api-1/registry', 'infra/registry']));
    const gateway = orchestrator.snapshot().urls.gateway;
    const call = async () => (await fetch(`${gateway}/greeter/say/hello?name=Outage`, { signal: AbortSignal.timeout(5_000) })).status;
    await eventually(async () => (await call()) === 200, 15_000, 'a 200 before the outage');
    for (const link of links) {
      plane.addToxic(link, { name: 'test-outage-up', type: 'down', stream: 'upstream' });
      plane.addToxic(link, { name: 'test-outage-down', type: 'down', stream: 'downstream' });
    }
    try {
      // Nacos: unhealthy after 15 s, deleted after 30 s of model time (3 s here) without a beat.
      await eventually(async () => !(await status()).leases.some((l) => l.serviceId.startsWith('nacos:')), 15_000, 'the Nacos face to delete greeter-api-1');
      // Eureka: a renewed lease lasts 2 x 90 s (18 s here), longer than this outage: both still listed.
      expect((await status()).leases.filter((l) => l.serviceId.startsWith('eureka:'))).toHaveLength(2);
      // The gateway, greeter-api and the proxy call from their cached nodes.
      const codes = [await call(), await call(), await call()];
      expect(codes).toEqual([200, 200, 200]);
    } finally {
      for (const link of links) {
        plane.removeToxic(link, 'test-outage-up', { ifPresent: true });
        plane.removeToxic(link, 'test-outage-down', { ifPresent: true });
      }
    }
    // greeter-api's Nacos client beats into an unknown instance: the face registers it from the beat.
    await eventually(async () => (await status()).leases.filter((l) => l.serviceId.startsWith('nacos:') && l.status === 'passing').length === 1, 15_000, 'greeter-api-1 back in the Nacos face');
    await eventually(async () => (await status()).leases.filter((l) => l.serviceId.startsWith('eureka:') && l.status === 'passing').length === 2, 15_000, 'both Eureka leases renewing');
    await eventually(async () => orchestrator.snapshot().instances.every((i) => i.state === 'ready'), 15_000, 'every instance ready');
    expect(await call()).toBe(200);
  }, 60_000);
});
