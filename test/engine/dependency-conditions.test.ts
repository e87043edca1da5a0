/**
 * depends_on conditions through the engine, with real processes: `started` lets a dependent start while its
 * dependency is still getting ready, `ready` (the list form) waits for readiness; a dependency that never
 * comes up holds back only its own dependents when failures stay local.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import type { InstanceState } from '../../runner/engine/api.ts';
import { eventually, writeTopology } from '../support/cli-process.ts';

let orchestrator: Orchestrator | undefined;
afterEach(async () => {
  await orchestrator?.shutdown();
  orchestrator = undefined;
});

/** A process service that is ready once `gate` exists (it prints "<name> ready" then). */
function gated(name: string, gate: string, extra = ''): string {
  return `  ${name}:
    runtime: process
    command: ["sh", "-c", 'echo ${name} started; while [ ! -f "${gate}" ]; do sleep 0.05; done; echo ${name} ready; sleep 300']
    readiness: { log: { pattern: "${name} ready", timeout: 60s } }
${extra}`;
}

const stateOf = (instance: string): InstanceState | undefined =>
  orchestrator?.snapshot().instances.find((i) => i.instance === instance)?.state;

describe('depends_on conditions', () => {
  it('started: the dependent starts while its dependency is not ready; ready: it waits', async () => {
    const gate = join(tmpdir(), `dep-cond-${process.pid}-${Date.now()}`);
    const topo = await writeTopology(
      gated('db', gate) +
        gated('early', `${gate}.early`, '    depends_on: { db: { condition: started } }\n') +
        gated('late', `${gate}.late`, '    depends_on: [db]\n'),
      'dep-conditions',
    );
    const topology = await loadTopology(topo.file);
    expect(topology.services.find((s) => s.name === 'early')?.dependencyConditions).toEqual({ db: 'started' });
    orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology), failuresStayLocal: true });
    const started = orchestrator.start();
    await eventually(async () => stateOf('early-1') === 'starting', 30_000, 'early-1 to start while db is not ready');
    expect(stateOf('db-1')).toBe('starting');
    expect(stateOf('late-1')).toBe('pending');
    expect(orchestrator.snapshot().instances.find((i) => i.instance === 'late-1')?.waitingFor).toEqual(['db']);
    await writeFile(gate, '');
    await eventually(async () => stateOf('late-1') === 'starting', 30_000, 'late-1 to start once db is ready');
    await writeFile(`${gate}.early`, '');
    await writeFile(`${gate}.late`, '');
    await started;
    expect(orchestrator.snapshot().ready).toBe(true);
  });

  it('strict (the default): the first instance that cannot start stops everything and start() rejects', async () => {
    const topo = await writeTopology(
      `  ok:
    runtime: process
    command: ["sh", "-c", "echo ok ready; sleep 300"]
    readiness: { log: { pattern: "ok ready", timeout: 10s } }
  broken:
    runtime: process
    command: ["sh", "-c", "echo broken says bye; exit 3"]
    readiness: { log: { pattern: "never", timeout: 10s } }
`,
      'dep-strict',
    );
    const topology = await loadTopology(topo.file);
    orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology) });
    await expect(orchestrator.start()).rejects.toThrow('broken-1 exited with code 3 before it was ready: broken says bye');
    const broken = orchestrator.snapshot().instances.find((i) => i.instance === 'broken-1');
    expect(broken?.lastError).toBe('broken-1 exited with code 3 before it was ready: broken says bye');
    expect(stateOf('ok-1')).toBe('stopped');
  });
});
