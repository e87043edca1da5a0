/**
 * Looking at a running `up` from the command line, against one shared `up` (greeter-srv and greeter-api):
 * `call` with the topology's names, its did-you-mean and one-line errors; `status --json` traffic numbers;
 * `logs` (filters, -f following a restart), then after `down`, the same logs read back from the files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, eventually, runCli } from '../support/cli-process.ts';
import { controlRequest } from '../../runner/control/control-client.ts';
import { readRunFile } from '../../runner/control/run-file.ts';
import { stackTraceLine, upWithApiTier, type SmallTopology } from './cli-topology.ts';
import type { Snapshot } from '../../runner/engine/api.ts';

let topo: SmallTopology;
let up: CliProcess;

beforeAll(async () => {
  ({ topo, up } = await upWithApiTier());
});

afterAll(async () => {
  if (up?.child.exitCode === null) up.child.kill('SIGKILL');
});

const call = (...args: string[]) => runCli(['call', ...args, '-c', topo.file]);

describe('micro-dev call with an up running', () => {
  it('accepts the topology names (service and instance) as well as the registry name', async () => {
    const hello = '{\n  "msg": "Hello John"\n}\n';
    expect(await call('go.micro.srv.greeter', 'Say.Hello', '{"name":"John"}')).toEqual({ code: 0, output: hello });
    expect(await call('greeter-srv', 'Say.Hello', '{"name":"John"}')).toEqual({ code: 0, output: hello });
    expect(await call('greeter-srv-1', 'Say.Hello', '{"name":"John"}')).toEqual({ code: 0, output: hello });
  });

  it('suggests the closest service, and lists what there is', async () => {
    const { code, output } = await call('greter-srv', 'Say.Hello');
    expect(code).toBe(1);
    expect(output).toBe(
      'micro-dev: call: no service named greter-srv; did you mean greeter-srv?\n' +
        '  hint: services: go.micro.api.greeter, go.micro.srv.greeter\n',
    );
    const nobody = await call('go.micro.srv.nobody', 'Say.Hello');
    expect(nobody.output).toMatch(/^micro-dev: call: no service named go\.micro\.srv\.nobody/);
  });

  it('suggests the closest endpoint', async () => {
    const { code, output } = await call('greeter-srv', 'Say.Helo', '{"name":"John"}');
    expect(code).toBe(1);
    expect(output).toBe('micro-dev: call: go.micro.srv.greeter has no endpoint Say.Helo; did you mean Say.Hello?\n  hint: its endpoints: Say.Hello\n');
  });

  it('prints a service error as one readable line, with no JSON and no stack', async () => {
    const { code, output } = await call('greeter-api', 'Say.Hello', '{}');
    expect(code).toBe(1);
    expect(output).toBe('micro-dev: call go.micro.api.greeter Say.Hello: 400 Bad Request: Name cannot be blank (from go.micro.api.greeter)\n');
    expect(output).not.toMatch(stackTraceLine);
  });
});

describe('micro-dev status --json with an up running', () => {
  it('carries per-instance and per-service traffic numbers', async () => {
    // At once, so all five land in one 10 s window even when each CLI run takes seconds on a loaded machine.
    const calls = await Promise.all(Array.from({ length: 5 }, () => call('greeter-srv', 'Say.Hello', '{"name":"x"}')));
    expect(calls.map((c) => c.code)).toEqual([0, 0, 0, 0, 0]);
    let snapshot: Snapshot | undefined;
    const deadline = Date.now() + 8_000;
    while (Date.now() < deadline) {
      const status = await runCli(['status', '--json', '-c', topo.file]);
      snapshot = JSON.parse(status.output) as Snapshot;
      if ((snapshot.services?.['greeter-srv']?.requests ?? 0) >= 5) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const srv = snapshot!.instances.find((i) => i.instance === 'greeter-srv-1')!;
    expect(srv.traffic).toMatchObject({ errors: 0, errorRate: 0, windowMs: 10_000 });
    expect(srv.traffic!.requests).toBeGreaterThanOrEqual(5);
    expect(srv.traffic!.p99).toBeGreaterThan(0);
    expect(snapshot!.services!['greeter-srv']!.requests).toBe(srv.traffic!.requests);
  });
});

const registered = (text: string) => text.split('\n').filter((l) => /^greeter-srv-1 +\| registered go\.micro\.srv\.greeter /.test(l)).length;

describe('micro-dev logs', () => {
  it('prints one service\'s or instance\'s kept lines, filtered by --grep and --since', async () => {
    const srv = await runCli(['logs', 'greeter-srv', '-c', topo.file]);
    expect(srv.code).toBe(0);
    expect(registered(srv.output)).toBe(1);
    expect(srv.output.split('\n').filter(Boolean).every((l) => l.startsWith('greeter-srv-1    | '))).toBe(true);
    const api = await runCli(['logs', 'greeter-api-1', '--grep', '^registered', '-c', topo.file]);
    expect(api.output).toMatch(/^greeter-api-1 +\| registered go\.micro\.api\.greeter \S+ at \S+\n$/);
    const future = await runCli(['logs', '--since', '2999-01-01T00:00:00Z', '-c', topo.file]);
    expect(future).toEqual({ code: 0, output: '' });
    const typo = await runCli(['logs', 'greter-srv', '-c', topo.file]);
    expect(typo.code).toBe(2);
    expect(typo.output).toBe('micro-dev: no service or instance named greter-srv; did you mean greeter-srv?\n  hint: services: greeter-api, greeter-srv\n');
  });

  it('-f follows new lines as they come (a restart of the instance) until Ctrl-C, then exits 0', async () => {
    const follow = new CliProcess(['logs', '-f', 'greeter-srv', '-c', topo.file]);
    try {
      await follow.waitFor(/registered go\.micro\.srv\.greeter/, 15_000);
      expect(registered(follow.output)).toBe(1);
      const info = (await readRunFile(topo.file))!;
      expect(await controlRequest(info, '/api/command', { method: 'POST', body: JSON.stringify({ type: 'restart', instance: 'greeter-srv-1' }) })).toMatchObject({ ok: true });
      await eventually(async () => registered(follow.output) === 2, 20_000, 'the restarted instance\'s registration to be followed');
      expect(follow.output).toMatch(/greeter-srv-1 +\| stopping go\.micro\.srv\.greeter /);
      expect(follow.output).not.toMatch(/greeter-api-1/);
    } finally {
      follow.child.kill('SIGINT');
    }
    expect(await follow.exited).toEqual({ code: 0, signal: null });
  });

  it('after down, reads the same lines back from .micro-dev/logs; -f then says up is not running', async () => {
    const down = await runCli(['down', '-c', topo.file]);
    expect(down.code).toBe(0);
    await up.exited;
    const kept = await runCli(['logs', 'greeter-srv-1', '-c', topo.file]);
    expect(kept.code).toBe(0);
    expect(registered(kept.output)).toBe(2);
    const follow = await runCli(['logs', '-f', '-c', topo.file]);
    expect(follow.code).toBe(1);
    expect(follow.output).toMatch(/^micro-dev: logs -f follows a running up, and micro-dev up is not running for /);
  });
});
