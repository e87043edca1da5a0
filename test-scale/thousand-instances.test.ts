/**
 * `npm run test:scale` (issue 13 point 4; CI runs it, .ci/run): a topology with `replicas: 1000` of
 * greeter-srv (worker runtime) comes up through the real CLI, packed into a few threads, registers every
 * instance, serves through the gateway from every one of them, a killed instance dies alone and restarts, a
 * stopped one stops alone, and Ctrl-C leaves nothing behind; then `crash-restart` and `heartbeat-loss` hold with
 * 10 % of the instances as victims. Behaviour only: how fast it gets ready, its RSS and idle CPU are measured
 * in bench/scale (deadlines here are generous for a loaded machine).
 *   SCALE_REPLICAS=200 npm run test:scale   (a smaller run)
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { InstanceView, Snapshot } from '../runner/engine/api.ts';
import { controlRequest } from '../runner/control/control-client.ts';
import { readRunFile } from '../runner/control/run-file.ts';
import { CliProcess, eventually, repoRoot, runCli, writeTopology, type TestTopology } from '../test/support/cli-process.ts';

const replicas = Number(process.env.SCALE_REPLICAS ?? 1000);
let up: CliProcess | undefined;
let topo: TestTopology;

async function passing(): Promise<string[]> {
  const res = await request(`http://127.0.0.1:${topo.ports.registry}/v1/health/service/go.micro.srv.greeter?passing=1`);
  return ((await res.body.json()) as { Service: { ID: string } }[]).map((e) => e.Service.ID);
}

async function srvInstances(): Promise<InstanceView[]> {
  const info = (await readRunFile(topo.file))!;
  const snapshot = await controlRequest<Snapshot>(info, '/api/snapshot');
  return snapshot.instances.filter((i) => i.service === 'greeter-srv');
}

function threadsOf(pid: number): number {
  return Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

/** `count` gateway calls, `concurrency` at a time; each must answer the greeting. */
async function greet(count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const res = await request(`http://127.0.0.1:${topo.ports.gateway}/greeter/say/hello?name=John`);
      expect(await res.body.text()).toBe('{"message":"Hello John"}');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

afterAll(async () => {
  if (up && up.child.exitCode === null) {
    up.child.kill('SIGKILL');
    await up.exited;
  }
});

describe(`${replicas} instances of one worker service`, () => {
  it('come up packed, register, serve from every instance, die alone when killed, stop alone and go down cleanly', { timeout: 900_000 }, async () => {
    const svc = (name: string) => join(repoRoot, 'services', name, 'main.ts');
    topo = await writeTopology(`  greeter-srv:\n    module: ${svc('greeter-srv')}\n    replicas: ${replicas}\n  greeter-api:\n    module: ${svc('greeter-api')}\n    depends_on: [greeter-srv]\n`, 'scale');
    // The default registry timing (TTL 10 s, a heartbeat every 3 s), not the tests' time_scale 0.1.
    writeFileSync(topo.file, readFileSync(topo.file, 'utf8').replace(', time_scale: 0.1', ''));
    up = new CliProcess(['up', '-c', topo.file, '--no-tui'], { cwd: topo.dir });
    await up.waitFor('micro-dev ready', 600_000);
    const pid = up.child.pid!;

    // Every instance registered and passing; registrations an instance left behind when a slow start made
    // it restart (a new id each start) expire with their TTL, so the count settles at exactly `replicas`.
    await eventually(async () => (await passing()).length === replicas, 300_000, `exactly ${replicas} passing greeter-srv nodes`);
    // Packed: a thousand instances are not a thousand threads.
    const threads = threadsOf(pid);
    expect(threads).toBeLessThan(60);

    // The gateway spreads its calls over every instance: each one's inbound link counted requests (random
    // selection: 20 x replicas calls leave a given instance out with probability e^-20).
    let sent = 0;
    await eventually(
      async () => {
        await greet(2 * replicas, 32);
        sent += 2 * replicas;
        const unserved = (await srvInstances()).filter((i) => !i.served?.requests);
        if (unserved.length > 0 && sent >= 20 * replicas) throw new Error(`${unserved.length} instances never served (${unserved.slice(0, 5).map((i) => i.instance).join(', ')}...) after ${sent} calls`);
        return unserved.length === 0;
      },
      600_000,
      `every one of ${replicas} instances serving gateway calls`,
    );

    // A packed instance killed (SIGKILL, as the crash-restart fault does) dies alone: it restarts with a new
    // registration while every other instance keeps its own registration, its restarts count and runs;
    // the thread count stays (the host thread lives on).
    const before = new Map((await srvInstances()).map((i) => [i.instance, i]));
    const victim = before.get('greeter-srv-7')!;
    expect(victim.state).toBe('ready');
    const info = (await readRunFile(topo.file))!;
    expect(await controlRequest(info, '/api/command', { method: 'POST', body: JSON.stringify({ type: 'kill', instance: 'greeter-srv-7' }) })).toMatchObject({ ok: true });
    const restarted = await eventually(
      async () => {
        const now = (await srvInstances()).find((i) => i.instance === 'greeter-srv-7');
        return now && now.state === 'ready' && now.registryId !== victim.registryId && now.restarts > victim.restarts ? now : undefined;
      },
      120_000,
      'greeter-srv-7 restarting with a new registration',
    );
    expect(restarted.restarts).toBe(victim.restarts + 1);
    const after = await srvInstances();
    const changed = after.filter((i) => {
      if (i.instance === 'greeter-srv-7') return false;
      const was = before.get(i.instance)!;
      // A neighbour that died would show a new registration, a restart, or a state on the way to one
      // (a heartbeat late under load may show `unhealthy` for a moment: that is not a death).
      return i.registryId !== was.registryId || i.restarts !== was.restarts || !['ready', 'unhealthy'].includes(i.state);
    });
    expect(changed.map((i) => `${i.instance} ${before.get(i.instance)!.state}->${i.state}`)).toEqual([]);
    expect(threadsOf(pid)).toBe(threads);
    // The killed instance never deregistered: its old registration goes critical with its TTL, the new one passes.
    await eventually(async () => {
      const ids = await passing();
      return ids.length === replicas && ids.includes(restarted.registryId!) && !ids.includes(victim.registryId!);
    }, 120_000, `${replicas} passing with greeter-srv-7's new registration and not its old one`);
    await greet(20, 4);

    // One packed instance stops alone: it leaves the registry, every other one stays and serves.
    const stopped = await runCli(['stop', 'greeter-srv-9', '-c', topo.file], topo.dir);
    expect(stopped.code).toBe(0);
    await eventually(async () => (await passing()).length === replicas - 1, 60_000, 'greeter-srv-9 leaving the registry');
    await greet(20, 4);

    up.child.kill('SIGINT');
    expect(await up.exited).toEqual({ code: 0, signal: null });
    expect(() => process.kill(pid, 0)).toThrow();
  });

  // The drills of the built-in scenarios at this size: 10 % of the instances at once, on the default registry
  // timing (TTL 10 s). Each runs on a topology of its own (the file above, free ports) through the real CLI.
  const victims = Math.ceil(replicas / 10);
  const drills = {
    'crash-restart-10pct': `description: 10 % of the greeter-srv instances SIGKILLed at once under load; each restarts and registers again.
seed: 7
load: {rate: 50, concurrency: 16}
steady_state: {availability: 99, passing: {service: greeter-srv, min: ${replicas}}}
steps:
  - {id: crash, at: 2s, fault: kill, target: {service: greeter-srv, percent: 10}, duration: 10s}
settle: 60s
expect:
  - {metric: availability, during: crash, min: 99}
  - {metric: restarts, step: crash, min: ${victims}}
  - {metric: time_to_recover, step: crash, max: 60s}
`,
    'heartbeat-loss-10pct': `description: 10 % of the greeter-srv instances stop heartbeating but keep serving; they leave the passing set after their TTL and are back after the heal.
seed: 5
load: {rate: 50, concurrency: 16}
steady_state: {availability: 99, passing: {service: greeter-srv, min: ${replicas}}}
steps:
  - {id: silence, at: 2s, fault: heartbeat-loss, target: {service: greeter-srv, percent: 10}, duration: 20s}
settle: 60s
expect:
  - {metric: availability, during: silence, min: 99}
  - {metric: time_to_detect, step: silence, max: 15s}
  - {metric: passing, during: silence, service: greeter-srv, max: ${replicas - victims}}
  - {metric: time_to_recover, step: silence, max: 30s}
`,
  };
  for (const [name, text] of Object.entries(drills)) {
    it(`${name}: the drill holds with ${victims} of ${replicas} instances as victims`, { timeout: 600_000 }, async () => {
      const file = join(topo.dir, `${name}.yaml`);
      const report = join(topo.dir, `${name}.json`);
      writeFileSync(file, text);
      const run = await runCli(['scenario', 'run', file, '-c', topo.file, '--json', report], topo.dir);
      // the summary (every expectation and why it failed) is what a failure shows
      const json = JSON.parse(readFileSync(report, 'utf8')) as { scenarios: { verdict: string; steps: { targets: string[] }[] }[] };
      rmSync(report);
      const scenario = json.scenarios[0];
      expect({ code: run.code, verdict: scenario?.verdict }, run.output.slice(-6000)).toEqual({ code: 0, verdict: 'held' });
      expect(scenario!.steps[0]!.targets).toHaveLength(victims);
    });
  }
});
