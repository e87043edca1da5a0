/**
 * Edits of micro.dev.yaml while `up` runs (spawned as a user would): a service added, changed, scaled and
 * removed is applied live; an invalid edit prints FILE:LINE:COL and keeps the running topology; a change of
 * the infrastructure says it needs a restart. And `up SERVICE...`: only those services and their
 * dependencies start; beside a running `up` it starts them there.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProcess, eventually, processesWith, repoRoot, runCli, writeTopology, type TestTopology } from '../support/cli-process.ts';
import type { InstanceView, Snapshot } from '../../runner/engine/api.ts';

const id = `${process.pid}-${Date.now()}`;
const svc = (name: string) => join(repoRoot, 'services', name, 'main.ts');
const running: CliProcess[] = [];
afterAll(async () => {
  for (const up of running) up.child.kill('SIGTERM');
  await Promise.all(running.map((up) => up.exited));
});

const sleeper = (name: string, marker: string) => `  ${name}:
    runtime: process
    command: ["sh", "-c", "echo ${name} started; sleep 300"]
    env: { LIVE_EDIT_MARKER: "${marker}" }
    readiness: { log: { pattern: "${name} started", timeout: 10s } }
`;

async function instances(topo: TestTopology): Promise<InstanceView[]> {
  const status = await runCli(['status', '--json', '-c', topo.file]);
  return (JSON.parse(status.output) as Snapshot).instances;
}

async function hello(topo: TestTopology): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${topo.ports.gateway}/greeter/say/hello?name=John`, { signal: AbortSignal.timeout(5000) });
  await res.arrayBuffer();
  return res.status;
}

describe('micro-dev up follows edits of micro.dev.yaml', () => {
  it('applies added, changed, scaled and removed services live; keeps running on an invalid edit', async () => {
    const base = `  greeter-srv:
    module: ${svc('greeter-srv')}
  greeter-api:
    module: ${svc('greeter-api')}
    depends_on: [greeter-srv]
`;
    const topo = await writeTopology(base + sleeper('worker', `live-a-${id}`), 'live-edit');
    const original = await readFile(topo.file, 'utf8');
    const up = new CliProcess(['up', '-c', topo.file, '--no-tui', '--no-watch']);
    running.push(up);
    await up.waitFor('micro-dev ready', 60_000);

    // Added.
    await writeFile(topo.file, original + sleeper('extra', `live-extra-${id}`));
    await up.waitFor(/config +micro\.dev\.yaml changed:\n.*config + {2}extra added/, 30_000);
    await up.waitFor(/extra-1 +ready/, 30_000);
    expect((await processesWith(`live-extra-${id}`)).length).toBeGreaterThan(0);

    // Changed: the instance is replaced by one with the new environment.
    const changed = original.replace(`live-a-${id}`, `live-b-${id}`) + sleeper('extra', `live-extra-${id}`);
    await writeFile(topo.file, changed);
    await up.waitFor(/config + {2}worker changed: restarting with the new config/, 30_000);
    await eventually(async () => (await processesWith(`live-b-${id}`)).length > 0, 30_000, 'worker to run with the new env');
    await eventually(async () => (await processesWith(`live-a-${id}`)).length === 0, 10_000, 'the old worker to be gone');

    // Invalid: FILE:LINE:COL, the running topology untouched.
    await writeFile(topo.file, changed.replace('    depends_on: [greeter-srv]', '    depends_onn: [greeter-srv]'));
    await up.waitFor(/micro\.dev\.yaml has problems; still running the previous topology:\n.*micro\.dev\.yaml:\d+:\d+: unknown key "depends_onn" in services\.greeter-api \(did you mean "depends_on"\?\)/, 30_000);
    expect(await hello(topo)).toBe(200);
    expect(up.child.exitCode).toBe(null);

    // Scaled, and removed.
    await writeFile(topo.file, original.replace(`live-a-${id}`, `live-b-${id}`).replace(`    module: ${svc('greeter-srv')}\n`, `    module: ${svc('greeter-srv')}\n    replicas: 2\n`));
    await up.waitFor(/config + {2}extra removed/, 30_000);
    await up.waitFor(/config + {2}greeter-srv scaled to 2/, 30_000);
    await eventually(async () => (await processesWith(`live-extra-${id}`)).length === 0, 10_000, 'extra to be stopped');
    await eventually(async () => (await instances(topo)).find((i) => i.instance === 'greeter-srv-2')?.state === 'ready', 30_000, 'greeter-srv-2 ready');
    expect((await instances(topo)).map((i) => i.instance).sort()).toEqual(['greeter-api-1', 'greeter-srv-1', 'greeter-srv-2', 'worker-1']);

    // Infrastructure: said, not applied.
    const gatewayLine = `gateway: { port: ${topo.ports.gateway}, handler: api }`;
    const current = await readFile(topo.file, 'utf8');
    await writeFile(topo.file, current.replace(gatewayLine, `gateway: { port: ${topo.ports.gateway}, handler: api, timeout: 7s }`));
    await up.waitFor(/config + {2}gateway changed: restart micro-dev up to apply it \(still running the previous gateway\)/, 30_000);
    expect(await hello(topo)).toBe(200);
    expect(up.output).not.toMatch(/^\s+at .*\/runner\//m);
  }, 240_000);
});

describe('micro-dev up SERVICE...', () => {
  it('starts only those services and what they depend on; beside a running up, starts them there', async () => {
    const topo = await writeTopology(
      `  greeter-srv:
    module: ${svc('greeter-srv')}
  greeter-api:
    module: ${svc('greeter-api')}
    depends_on: [greeter-srv]
${sleeper('unrelated', `live-unrelated-${id}`)}`,
      'up-subset',
    );
    const typo = await runCli(['up', 'greeter-ap', '-c', topo.file, '--no-tui']);
    expect(typo.code).toBe(2);
    expect(typo.output.split('\n')[0]).toBe(`micro-dev: up: no service named "greeter-ap" in ${topo.file} (did you mean "greeter-api"?)`);

    const up = new CliProcess(['up', 'greeter-api', '-c', topo.file, '--no-tui', '--no-watch']);
    running.push(up);
    await up.waitFor('micro-dev ready', 60_000);
    expect(await hello(topo)).toBe(200);
    expect(up.output).not.toMatch(/unrelated-1 +starting/);
    expect((await processesWith(`live-unrelated-${id}`)).length).toBe(0);
    expect((await instances(topo)).find((i) => i.instance === 'unrelated-1')?.state).toBe('stopped');

    const more = await runCli(['up', 'unrelated', '-c', topo.file]);
    expect(more).toEqual({ code: 0, output: `unrelated starting (in the micro-dev up already running, pid ${up.child.pid})\n` });
    await eventually(async () => (await instances(topo)).find((i) => i.instance === 'unrelated-1')?.state === 'ready', 30_000, 'unrelated-1 ready');
  }, 180_000);
});
