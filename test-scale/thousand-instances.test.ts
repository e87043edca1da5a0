/**
 * `npm run test:scale` (issue 13 point 4): a topology with `replicas: 1000` of greeter-srv (worker runtime)
 * comes up through the real CLI, packed into a few threads, registers every instance, serves through the
 * gateway, stops one instance alone, and goes down on Ctrl-C leaving nothing behind. Behaviour only: how
 * fast it gets ready is measured in bench/, not asserted here (deadlines are generous for a loaded machine).
 *   SCALE_REPLICAS=200 npm run test:scale   (a smaller run)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { CliProcess, eventually, repoRoot, runCli, writeTopology, type TestTopology } from '../test/support/cli-process.ts';

const replicas = Number(process.env.SCALE_REPLICAS ?? 1000);
let up: CliProcess | undefined;
let topo: TestTopology;

async function passing(): Promise<string[]> {
  const res = await request(`http://127.0.0.1:${topo.ports.registry}/v1/health/service/go.micro.srv.greeter?passing=1`);
  return ((await res.body.json()) as { Service: { ID: string } }[]).map((e) => e.Service.ID);
}

afterAll(async () => {
  if (up && up.child.exitCode === null) {
    up.child.kill('SIGKILL');
    await up.exited;
  }
});

describe(`${replicas} instances of one worker service`, () => {
  it('come up packed, register, serve, stop alone and go down cleanly', { timeout: 900_000 }, async () => {
    const svc = (name: string) => join(repoRoot, 'services', name, 'main.ts');
    topo = await writeTopology(`  greeter-srv:\n    module: ${svc('greeter-srv')}\n    replicas: ${replicas}\n  greeter-api:\n    module: ${svc('greeter-api')}\n    depends_on: [greeter-srv]\n`, 'scale');
    // The default registry timing (heartbeats every 30 s), not the tests' time_scale 0.1.
    writeFileSync(topo.file, readFileSync(topo.file, 'utf8').replace(', time_scale: 0.1', ''));
    up = new CliProcess(['up', '-c', topo.file, '--no-tui'], { cwd: topo.dir });
    await up.waitFor('micro-dev ready', 600_000);

    // Every instance registered and passing; registrations an instance left behind when a slow start made
    // it restart (a new id each start) expire with their TTL, so the count settles at exactly `replicas`.
    await eventually(async () => (await passing()).length === replicas, 300_000, `exactly ${replicas} passing greeter-srv nodes`);
    // Packed: a thousand instances are not a thousand threads.
    const threads = Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${up.child.pid}/status`, 'utf8'))?.[1]);
    expect(threads).toBeLessThan(60);

    for (let i = 0; i < 20; i++) {
      const res = await request(`http://127.0.0.1:${topo.ports.gateway}/greeter/say/hello?name=John`);
      expect(await res.body.text()).toBe('{"message":"Hello John"}');
    }

    // One packed instance stops alone: it leaves the registry, every other one stays and serves.
    const stopped = await runCli(['stop', 'greeter-srv-7', '-c', topo.file], topo.dir);
    expect(stopped.code).toBe(0);
    await eventually(async () => (await passing()).length === replicas - 1, 60_000, 'greeter-srv-7 leaving the registry');
    for (let i = 0; i < 20; i++) {
      const res = await request(`http://127.0.0.1:${topo.ports.gateway}/greeter/say/hello?name=Jane`);
      expect(await res.body.text()).toBe('{"message":"Hello Jane"}');
    }

    up.child.kill('SIGINT');
    expect(await up.exited).toEqual({ code: 0, signal: null });
    expect(() => process.kill(up!.child.pid!, 0)).toThrow();
  });
});
