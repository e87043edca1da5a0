import Consul from 'consul';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../runner/clock/clock.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { http } from './registry-harness.ts';

interface Check {
  Node: string;
  CheckID: string;
  Name: string;
  Status: string;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  Type: string;
}
interface HealthEntry {
  Service: { ID: string; Service: string };
  Checks: Check[];
}

// The agent's node: name and datacenter from config, node-level checks, catalog/health node views,
// members, datacenters, the `consul` service and maintenance mode (agent/agent_endpoint.go,
// agent/catalog_endpoint.go, agent/health_endpoint.go), through node-consul and raw HTTP.
describe('node, node checks and maintenance', () => {
  const started: StartedRegistry[] = [];
  afterEach(async () => {
    for (const r of started.splice(0)) await r.stop();
  });
  async function start(extra: Record<string, unknown> = {}, clock?: ManualClock) {
    const reg = await startRegistry({ host: '127.0.0.1', port: 0, node: 'box-1', datacenter: 'lab', ...extra }, { clock });
    started.push(reg);
    return { url: reg.url, consul: new Consul({ host: '127.0.0.1', port: Number(reg.address.split(':')[1]) }) };
  }

  it('uses the configured node name and datacenter everywhere a node appears', async () => {
    const { consul, url } = await start();
    await consul.agent.service.register({ name: 'web', id: 'web-1', port: 80 });
    const self = (await consul.agent.self()) as { Config: { NodeName: string; Datacenter: string }; Member: { Name: string; Tags: { dc: string } } };
    expect([self.Config.NodeName, self.Config.Datacenter, self.Member.Name, self.Member.Tags.dc]).toEqual(['box-1', 'lab', 'box-1', 'lab']);
    expect(await consul.catalog.datacenters()).toEqual(['lab']);
    const members = (await consul.agent.members()) as { Name: string; Port: number; Status: number; Tags: { role: string } }[];
    expect(members.map((m) => [m.Name, m.Port, m.Status, m.Tags.role])).toEqual([['box-1', 8301, 1, 'consul']]);
    const wan = (await http(`${url}/v1/agent/members?wan=1`)).json() as { Name: string; Port: number }[];
    expect(wan.map((m) => [m.Name, m.Port])).toEqual([['box-1.lab', 8302]]);
    const nodes = (await consul.catalog.node.list()) as { Node: string; Datacenter: string }[];
    expect(nodes.map((n) => [n.Node, n.Datacenter])).toEqual([['box-1', 'lab']]);
    const catalog = (await consul.catalog.service.nodes('web')) as { Node: string; Datacenter: string }[];
    expect(catalog.map((n) => [n.Node, n.Datacenter])).toEqual([['box-1', 'lab']]);
    const health = (await consul.health.service('web')) as { Node: { Node: string }; Checks: Check[] }[];
    expect(health[0].Node.Node).toBe('box-1');
    expect(health[0].Checks.map((c) => [c.Node, c.CheckID])).toEqual([['box-1', 'serfHealth']]);
    const session = (await consul.session.create({})) as { ID: string };
    expect(await consul.session.info(session.ID)).toMatchObject({ Node: 'box-1' });
  });

  it('lists the agent`s own consul service in the catalog (not among the agent`s services)', async () => {
    const { consul } = await start();
    expect(await consul.catalog.services()).toEqual({ consul: [] });
    const entries = (await consul.catalog.service.nodes('consul')) as { ServiceID: string; ServicePort: number; ServiceMeta: { version: string } }[];
    expect(entries.map((e) => [e.ServiceID, e.ServicePort, e.ServiceMeta.version])).toEqual([['consul', 8300, '1.17.0']]);
    const health = (await consul.health.service({ service: 'consul', passing: true })) as HealthEntry[];
    expect(health.map((e) => e.Service.ID)).toEqual(['consul']);
    expect(await consul.agent.services()).toEqual({});
  });

  it('registers node-level checks: TTL on the lease clock, in health/node, gating ?passing for every instance', async () => {
    const clock = new ManualClock(0);
    const { consul, url } = await start({}, clock);
    await consul.agent.service.register({ name: 'web', id: 'web-1' });
    await consul.agent.check.register({ name: 'disk', id: 'disk', ttl: '10s', status: 'passing' } as never);
    const checks = (await consul.agent.checks()) as Record<string, Check>;
    expect(checks.disk).toMatchObject({ Node: 'box-1', CheckID: 'disk', Name: 'disk', Status: 'passing', ServiceID: '', ServiceName: '', Type: 'ttl' });
    const node = (await consul.health.node('box-1')) as unknown as Check[];
    expect(node.map((c) => c.CheckID)).toEqual(['disk', 'serfHealth']);
    expect(await consul.health.node('elsewhere')).toEqual([]);
    expect(((await consul.health.service({ service: 'web', passing: true })) as HealthEntry[]).map((e) => e.Checks.map((c) => c.CheckID))).toEqual([
      ['serfHealth', 'disk'],
    ]);
    clock.advance(10_001);
    expect(((await consul.agent.checks()) as Record<string, Check>).disk).toMatchObject({ Status: 'critical', Output: 'TTL expired' });
    // A critical node check takes every instance on the node out of ?passing.
    expect(await consul.health.service({ service: 'web', passing: true })).toEqual([]);
    await consul.agent.check.pass('disk');
    expect(await consul.health.service({ service: 'web', passing: true })).toHaveLength(1);
    await consul.agent.check.deregister('disk');
    expect(((await consul.health.node('box-1')) as unknown as Check[]).map((c) => c.CheckID)).toEqual(['serfHealth']);
    const missing = await http(`${url}/v1/agent/check/register`, 'PUT', JSON.stringify({ Name: 'x', ServiceID: 'nope', TTL: '10s' }));
    expect([missing.status, missing.text]).toEqual([400, 'ServiceID "nope" does not exist']);
  });

  it('serves catalog/node with the node and its services; an unknown node is null', async () => {
    const { consul, url } = await start();
    await consul.agent.service.register({ name: 'web', id: 'web-1', port: 80, tags: ['a'] });
    const body = (await consul.catalog.node.services('box-1')) as { Node: { Node: string; Datacenter: string }; Services: Record<string, { Service: string; Port: number }> };
    expect(body.Node).toMatchObject({ Node: 'box-1', Datacenter: 'lab', Address: '127.0.0.1' });
    expect(Object.keys(body.Services).sort()).toEqual(['consul', 'web-1']);
    expect(body.Services['web-1']).toMatchObject({ Service: 'web', Port: 80, Tags: ['a'] });
    const unknown = await http(`${url}/v1/catalog/node/elsewhere`);
    expect([unknown.status, unknown.text]).toEqual([200, 'null']);
    expect(Number(unknown.headers.get('x-consul-index'))).toBeGreaterThanOrEqual(1);
    for (const path of ['/v1/catalog/node/', '/v1/health/node/']) {
      const res = await http(`${url}${path}`);
      expect([res.status, res.text]).toEqual([400, 'Missing node name']);
    }
  });

  it('node maintenance: a critical _node_maintenance check with the reason; every instance leaves ?passing', async () => {
    const { consul, url } = await start();
    await consul.agent.service.register({ name: 'web', id: 'web-1' });
    await consul.agent.maintenance({ enable: true, reason: 'deploying' });
    const check = ((await consul.agent.checks()) as Record<string, Check>)._node_maintenance;
    expect(check).toMatchObject({ CheckID: '_node_maintenance', Name: 'Node Maintenance Mode', Notes: 'deploying', Status: 'critical', Type: 'maintenance', ServiceID: '', Output: '' });
    expect(await consul.health.service({ service: 'web', passing: true })).toEqual([]);
    // Enabling again keeps the first reason; disabling removes it.
    await consul.agent.maintenance({ enable: true, reason: 'other' });
    expect(((await consul.agent.checks()) as Record<string, Check>)._node_maintenance.Notes).toBe('deploying');
    await consul.agent.maintenance(false);
    expect((await consul.agent.checks()) as Record<string, Check>).not.toHaveProperty('_node_maintenance');
    expect(await consul.health.service({ service: 'web', passing: true })).toHaveLength(1);
    await consul.agent.maintenance(true);
    expect(((await consul.agent.checks()) as Record<string, Check>)._node_maintenance.Notes).toBe(
      'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.',
    );
    const cases: [string, number, string][] = [
      ['/v1/agent/maintenance', 400, 'Missing value for enable'],
      ['/v1/agent/maintenance?enable=maybe', 400, 'Invalid value for enable: "maybe"'],
    ];
    for (const [path, status, text] of cases) {
      const res = await http(`${url}${path}`, 'PUT');
      expect([res.status, res.text]).toEqual([status, text]);
    }
  });

  it('service maintenance: PUT /v1/agent/service/maintenance/<id> (no longer swallowed by GET /v1/agent/service/<id>)', async () => {
    const { consul, url } = await start();
    await consul.agent.service.register({ name: 'web', id: 'web-1' });
    await consul.agent.service.register({ name: 'web', id: 'web-2' });
    await consul.agent.service.maintenance({ id: 'web-1', enable: true, reason: 'drain' });
    const check = ((await consul.agent.checks()) as Record<string, Check>)['_service_maintenance:web-1'];
    expect(check).toMatchObject({ Name: 'Service Maintenance Mode', Notes: 'drain', Status: 'critical', Type: 'maintenance', ServiceID: 'web-1', ServiceName: 'web' });
    expect(((await consul.health.service({ service: 'web', passing: true })) as HealthEntry[]).map((e) => e.Service.ID)).toEqual(['web-2']);
    await consul.agent.service.maintenance({ id: 'web-1', enable: false });
    expect(await consul.health.service({ service: 'web', passing: true })).toHaveLength(2);
    const cases: [string, number, string][] = [
      ['/v1/agent/service/maintenance/nope?enable=true', 404, 'No service registered with ID "nope"'],
      ['/v1/agent/service/maintenance/nope?enable=false', 404, 'No service registered with ID "nope"'],
      ['/v1/agent/service/maintenance/web-1', 400, 'Missing value for enable'],
      ['/v1/agent/service/maintenance/', 400, 'Missing service ID'],
    ];
    for (const [path, status, text] of cases) {
      const res = await http(`${url}${path}`, 'PUT');
      expect([res.status, res.text]).toEqual([status, text]);
    }
    const get = await http(`${url}/v1/agent/service/maintenance/web-1`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'OPTIONS,PUT']);
    // Deregistering the service takes its maintenance check with it.
    await consul.agent.service.maintenance({ id: 'web-2', enable: true });
    await consul.agent.service.deregister('web-2');
    expect((await consul.agent.checks()) as Record<string, Check>).not.toHaveProperty('_service_maintenance:web-2');
  });
});
