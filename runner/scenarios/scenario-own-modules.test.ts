import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from './load-scenario.ts';
import { REPO_ROOT } from './scenario-paths.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'micro-dev-own-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a service a scenario brings itself', () => {
  it('runs from the package whatever topology the built-in drill is merged over', async () => {
    writeFileSync(path.join(dir, 'orders.ts'), 'export {};\n');
    const base = path.join(dir, 'micro.dev.yaml');
    writeFileSync(base, 'services:\n  orders: {module: orders.ts, replicas: 2}\n');
    const scenario = await loadScenario('leader-partition', { baseTopology: base });
    const leader = scenario.topology.services.find((s) => s.name === 'leader-srv')!;
    expect(leader.module).toBe(path.join(REPO_ROOT, 'services/leader-srv/main.ts'));
    expect(leader.replicas).toBe(3);
    expect(scenario.topology.services.find((s) => s.name === 'orders')!.module).toBe(path.join(dir, 'orders.ts'));
  });

  it('a user scenario file names its own module relative to itself', async () => {
    writeFileSync(path.join(dir, 'mine.ts'), 'export {};\n');
    const file = path.join(dir, 'drill.yaml');
    writeFileSync(file, 'topology:\n  services:\n    mine: {module: mine.ts}\nsteps: []\n');
    const scenario = await loadScenario(file, { baseTopology: path.join(dir, 'micro.dev.yaml') });
    expect(scenario.topology.services.find((s) => s.name === 'mine')!.module).toBe(path.join(dir, 'mine.ts'));
  });
});
