import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { aimScenario, NotApplicable } from './aim-scenario.ts';
import { BUILTIN_SCENARIO_DIR } from './scenario-paths.ts';
import { listScenarios } from './list-scenarios.ts';

const shop = { services: ['orders', 'billing'], replicas: { orders: 1, billing: 3 } };
const greeter = { services: ['greeter-srv', 'greeter-api', 'greeter-web'], replicas: { 'greeter-srv': 2 } };
const builtin = (name: string) => readFile(path.join(BUILTIN_SCENARIO_DIR, `${name}.yaml`), 'utf8');
const ORDERS = { method: 'GET', path: '/orders/say/hello?name=J' } as const;

describe('aimScenario', () => {
  it('points every service reference and every greeter load at the given service and request', async () => {
    const { text, notes } = aimScenario(await builtin('network-partition'), { service: 'orders', request: ORDERS }, shop);
    const s = YAML.parse(text);
    expect(s.steps[0].target.service).toBe('orders');
    expect(s.steady_state.passing.service).toBe('orders');
    expect(s.expect.filter((e: { service?: string }) => e.service).map((e: { service: string }) => e.service)).toEqual(['orders']);
    expect(s.topology.services).toEqual({ orders: { replicas: 2 } });
    expect(s.load).toMatchObject({ method: 'GET', path: '/orders/say/hello?name=J' });
    expect(notes).toEqual([
      'aimed at orders (written for greeter-srv)',
      'orders runs 2 replicas in this drill (the topology has 1): one is broken, the other answers',
      'load sends GET /orders/say/hello?name=J',
    ]);
  });

  it('replaces a /rpc load to the greeter with --rpc, keeps a service with enough replicas as it is', async () => {
    const rpc = { method: 'POST', path: '/rpc', body: { service: 'go.micro.api.billing', endpoint: 'Greeter.Hello', request: { name: 'J' } } } as const;
    const { text } = aimScenario(await builtin('registry-outage'), { service: 'billing', request: rpc }, shop);
    const s = YAML.parse(text);
    expect(s.load.map((l: { method: string; path: string; body?: unknown }) => [l.method, l.path, l.body])).toEqual([
      ['POST', '/rpc', rpc.body],
      ['POST', '/rpc', rpc.body],
    ]);
    expect(s.topology.services).toBeUndefined();
  });

  it('never re-aims a service the scenario brings itself (leader-partition runs its own leader-srv)', async () => {
    const text = await builtin('leader-partition');
    expect(aimScenario(text, {}, shop)).toEqual({ text, notes: [] });
    expect(aimScenario(text, { service: 'orders' }, shop)).toEqual({ text, notes: [] });
  });

  it('leaves a scenario on the greeter topology as it is when nothing is given', async () => {
    const text = await builtin('crash-restart');
    expect(aimScenario(text, {}, greeter)).toEqual({ text, notes: [] });
  });

  it.each([
    [{}, 'it aims at greeter-srv, which the topology does not have; aim it at one of yours with --service NAME (services: orders, billing)'],
    [{ service: 'order' }, '--service order: no such service in the topology (services: orders, billing)'],
    [{ service: 'orders' }, 'its load calls the greeter (GET /greeter/say/hello?name=John), which the topology does not run; give the request with --path'],
  ])('says why it cannot apply: %o', async (aim, reason) => {
    let error: unknown;
    try {
      aimScenario(await builtin('crash-restart'), aim, shop);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotApplicable);
    expect((error as Error).message.startsWith(reason)).toBe(true);
  });

  it('refuses --service for a scenario that aims at two services', () => {
    const two = 'steps:\n  - {fault: kill, target: {service: a}}\n  - {fault: kill, target: {service: b}}\n';
    expect(() => aimScenario(two, { service: 'orders' }, shop)).toThrow('it aims at 2 services (a, b), so --service cannot say which one to replace');
  });

  it('every built-in scenario can be aimed at a topology with no greeter, but the canary drills, which ship their own v2 of it (greeterOnly)', async () => {
    const greeterOnly: string[] = [];
    for (const { name } of await listScenarios()) {
      let text: string;
      try {
        text = aimScenario(await builtin(name), { service: 'orders', request: ORDERS }, shop).text;
      } catch (error) {
        expect(error, name).toBeInstanceOf(NotApplicable);
        expect((error as NotApplicable).greeterOnly, name).toBe(true);
        greeterOnly.push(name);
        continue;
      }
      expect(text, name).not.toMatch(/greeter/);
    }
    expect(greeterOnly).toEqual(['canary', 'canary-rollback']);
  });

  it('a canary drill refuses --service (its v2 is the greeter\'s code) and needs the baseline without it', async () => {
    expect(() => aimScenario('steps:\n  - {fault: canary, target: {service: v2}, baseline: greeter-srv}\n', { service: 'orders' }, shop)).toThrow(
      'it releases its own v2 of the greeter (its code) beside greeter-srv, so --service cannot aim it at yours',
    );
    const canary = await builtin('canary');
    expect(() => aimScenario(canary, {}, shop)).toThrow('it aims at greeter-srv, which the topology does not have');
    expect(aimScenario(canary, {}, greeter).notes).toEqual([]);
  });
});

describe('loadScenario with a topology that says how its drills aim (scenarios: section)', () => {
  it('takes service and request from micro.dev.yaml; command-line flags override them', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { loadScenario } = await import('./load-scenario.ts');
    const dir = await mkdtemp(path.join(tmpdir(), 'micro-dev-aim-'));
    const base = path.join(dir, 'micro.dev.yaml');
    await writeFile(
      base,
      'services:\n  orders: {runtime: process, command: x}\n  billing: {runtime: process, command: y, replicas: 2}\n' +
        'scenarios: {service: orders, path: /orders/say/hello?name=T}\n',
    );
    const fromTopology = await loadScenario('crash-restart', { baseTopology: base });
    expect(fromTopology.steps[0]!.target.service).toBe('orders');
    expect(fromTopology.loads[0]).toMatchObject({ method: 'GET', path: '/orders/say/hello?name=T' });
    expect(fromTopology.topology.services.find((s) => s.name === 'orders')!.replicas).toBe(2);

    // A canary drill cannot aim at billing: the error says so and carries greeterOnly, which --all skips.
    const canary = await loadScenario('canary', { baseTopology: base, aim: { service: 'billing' } }).catch((e: unknown) => e);
    expect((canary as Error).message).toContain('scenario canary cannot apply to');
    expect((canary as Error).cause).toBeInstanceOf(NotApplicable);
    expect(((canary as Error).cause as NotApplicable).greeterOnly).toBe(true);
    const overridden = await loadScenario('crash-restart', { baseTopology: base, aim: { service: 'billing' } });
    expect(overridden.steps[0]!.target.service).toBe('billing');
    expect(overridden.loads[0]).toMatchObject({ path: '/orders/say/hello?name=T' });
  });
});
