/**
 * A mixed topology through the engine: greeter-srv as child processes (`runtime: process`, the way a service
 * in another language would run), greeter-api as a worker thread. The gateway reaches the processes, and a
 * SIGKILLed process comes back by the restart policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import { eventually, repoRoot, writeTestTopology } from '../support/cli-process.ts';

let orchestrator: Orchestrator;

beforeAll(async () => {
  const topo = await writeTestTopology();
  const srv = join(repoRoot, 'services/greeter-srv/main.ts');
  const yaml = (await readFile(topo.file, 'utf8')).replace(
    `    module: ${srv}\n    replicas: 2\n`,
    `    runtime: process\n    command: ["${process.execPath}", "${srv}"]\n    replicas: 2\n`,
  );
  await writeFile(topo.file, yaml);
  const topology = await loadTopology(topo.file);
  orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology) });
  await orchestrator.start();
});
afterAll(async () => {
  await orchestrator?.shutdown();
});

const pidOf = (instance: string) => orchestrator.snapshot().instances.find((i) => i.instance === instance)?.ref;

describe('greeter-srv as processes', () => {
  it('runs each replica as its own OS process and serves through the gateway', async () => {
    const refs = ['greeter-srv-1', 'greeter-srv-2'].map(pidOf);
    expect(refs.every((r) => r !== undefined && /^\d+$/.test(r))).toBe(true);
    expect(new Set(refs).size).toBe(2);
    const res = await fetch(`${orchestrator.snapshot().urls.gateway}/greeter/say/hello?name=Proc`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"message":"Hello Proc"}');
  });

  it('restarts a SIGKILLed process (a new pid, one restart) and keeps serving', async () => {
    const before = pidOf('greeter-srv-1')!;
    process.kill(Number(before), 'SIGKILL');
    await eventually(
      async () => {
        const view = orchestrator.snapshot().instances.find((i) => i.instance === 'greeter-srv-1');
        return view?.state === 'ready' && view.ref !== before && view.restarts === 1;
      },
      15_000,
      'greeter-srv-1 to come back with a new pid',
    );
    const res = await fetch(`${orchestrator.snapshot().urls.gateway}/greeter/say/hello?name=Again`);
    expect(await res.text()).toBe('{"message":"Hello Again"}');
  });
});
