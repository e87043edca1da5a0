/**
 * End to end, as a user: `micro-dev up` on a temporary greeter topology (free ports), then the greeter
 * through the gateway, /rpc, `micro-dev call` (proxy), `services`, `status`; Ctrl-C exits 0 and leaves
 * nothing behind. A second test SIGKILLs `up` and asserts that no child process outlives it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, descendants, eventually, processesWith, runCli, writeTestTopology } from '../support/cli-process.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const running: CliProcess[] = [];
afterEach(() => {
  for (const cli of running.splice(0)) cli.child.kill('SIGKILL');
});

describe('micro-dev up (end to end)', () => {
  it('serves the greeter through gateway, /rpc and proxy, and stops cleanly on SIGINT', async () => {
    const topo = await writeTestTopology();
    const up = new CliProcess(['up', '-c', topo.file, '--no-tui']);
    running.push(up);
    await up.waitFor('micro-dev ready', 30_000);
    const gw = `http://127.0.0.1:${topo.ports.gateway}`;

    const hello = await fetch(`${gw}/greeter/say/hello?name=John`);
    expect(hello.status).toBe(200);
    expect(await hello.text()).toBe('{"message":"Hello John"}');

    const blank = await fetch(`${gw}/greeter/say/hello`);
    expect(blank.status).toBe(400);
    expect(await blank.json()).toEqual({
      id: 'go.micro.api.greeter',
      code: 400,
      detail: 'Name cannot be blank',
      status: 'Bad Request',
    });

    const rpc = await fetch(`${gw}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'go.micro.srv.greeter', endpoint: 'Say.Hello', request: { name: 'John' } }),
    });
    expect(rpc.status).toBe(200);
    expect(await rpc.json()).toEqual({ msg: 'Hello John' });

    const call = await runCli(['call', 'go.micro.srv.greeter', 'Say.Hello', '{"name":"John"}', '-c', topo.file]);
    expect(call.code).toBe(0);
    expect(JSON.parse(call.output)).toEqual({ msg: 'Hello John' });

    const services = await runCli(['services', '-c', topo.file]);
    expect(services.code).toBe(0);
    for (const name of ['go.micro.srv.greeter', 'go.micro.api.greeter', 'go.micro.web.greeter']) {
      expect(services.output).toContain(name);
    }
    // two srv replicas, each listed with its node id
    expect(services.output.match(/go\.micro\.srv\.greeter-[0-9a-f-]{36}/g)?.length).toBe(2);

    const status = await runCli(['status', '--json', '-c', topo.file]);
    expect(status.code).toBe(0);
    const snapshot = JSON.parse(status.output);
    expect(snapshot.ready).toBe(true);
    expect(snapshot.instances.map((i: { instance: string }) => i.instance).sort()).toEqual([
      'greeter-api-1',
      'greeter-srv-1',
      'greeter-srv-2',
      'greeter-web-1',
    ]);
    expect(snapshot.instances.every((i: { state: string }) => i.state === 'ready')).toBe(true);

    up.child.kill('SIGINT');
    const exit = await up.exited;
    expect(exit.code).toBe(0);
    expect(existsSync(join(topo.dir, '.micro-dev', 'run.json'))).toBe(false);
    await expect(fetch(`${gw}/`)).rejects.toThrow();
  });

  it('leaves no child process behind when it is SIGKILLed', async () => {
    const marker = `micro-dev-orphan-marker-${process.pid}-${Date.now()}`;
    // A process-runtime service (a shell and its sleeping child, both tagged by a unique env marker): micro-dev's
    // children and grandchildren must all notice micro-dev's death.
    const topo = await writeTestTopology(`  sleeper:
    runtime: process
    command: ["sh", "-c", "echo sleeper started; sleep 300; echo done"]
    env: { ORPHAN_MARKER: "${marker}" }
    readiness: { log: { pattern: "sleeper started", timeout: 5s } }
`);
    const up = new CliProcess(['up', '-c', topo.file, '--no-tui']);
    running.push(up);
    await up.waitFor('micro-dev ready', 30_000);
    const children = await descendants(up.child.pid!);
    expect(children.length).toBeGreaterThan(0);
    expect((await processesWith(marker)).length).toBeGreaterThan(0);

    up.child.kill('SIGKILL');
    await up.exited;
    await eventually(async () => (await processesWith(marker)).length === 0, 5000, 'the sleeper to die with micro-dev');
    await eventually(
      async () => children.every((pid) => !isAlive(pid)),
      5000,
      'every child of micro-dev to exit',
    );
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
