/**
 * `micro-dev chaos` against a running `up` (the greeter on free ports): it puts random faults on through the
 * control API and logs them; Ctrl-C (SIGINT) heals every one it put on before it exits 0, so afterwards no
 * instance carries a fault, the fault plane has no toxic left, and every instance is ready again.
 * Plus the flags' errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, eventually, runCli, writeTestTopology, type TestTopology } from '../support/cli-process.ts';
import type { Snapshot } from '../../runner/engine/api.ts';

describe('micro-dev chaos', () => {
  let topology: TestTopology;
  let up: CliProcess;

  beforeAll(async () => {
    topology = await writeTestTopology();
    up = new CliProcess(['up', '--no-tui', '-c', topology.file]);
    await up.waitFor('micro-dev ready', 60_000);
  }, 90_000);

  afterAll(async () => {
    up?.child.kill('SIGINT');
    await up?.exited;
  });

  async function snapshot(): Promise<Snapshot> {
    const { code, output } = await runCli(['status', '--json', '-c', topology.file]);
    expect(code, output).toBe(0);
    return JSON.parse(output) as Snapshot;
  }

  async function toxicsLeft(): Promise<string[]> {
    const proxies = (await (await fetch(`http://127.0.0.1:${topology.ports.faults}/proxies`)).json()) as Record<string, { toxics: { name: string }[] }>;
    return Object.entries(proxies).flatMap(([link, p]) => p.toxics.map((t) => `${link}:${t.name}`));
  }

  it('Ctrl-C heals every fault it put on, and exits 0', { timeout: 120_000 }, async () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    console.log(`chaos test seed ${seed}`);
    const chaos = new CliProcess(['chaos', '-c', topology.file, '--duration', '1h', '--every', '200ms', '--hold', '30s-60s', '--seed', String(seed), '--faults', 'partition,heartbeat-loss,latency']);
    // The faults last 30 s or more: all of them are still on when Ctrl-C comes.
    await eventually(async () => (chaos.output.match(/ on {2}\S+ for /g) ?? []).length >= 2 || undefined, 30_000, 'two faults on');
    const during = await snapshot();
    expect(during.instances.filter((i) => i.faults.length > 0).length).toBeGreaterThanOrEqual(2);
    expect((await toxicsLeft()).length).toBeGreaterThan(0);

    chaos.child.kill('SIGINT');
    const exit = await chaos.exited;
    expect(exit.code, chaos.output).toBe(0);
    const on = [...chaos.output.matchAll(/ (\S+)\s+on {2}(\S+) for /g)].map((m) => `${m[1]} ${m[2]}`).sort();
    const off = [...chaos.output.matchAll(/ (\S+)\s+off (\S+) \(stopped\)/g)].map((m) => `${m[1]} ${m[2]}`).sort();
    expect(off).toEqual(on);
    expect(chaos.output).toMatch(new RegExp(`chaos done: ${on.length} faults, ${on.length} healed\\n`));

    const after = await snapshot();
    expect(after.instances.map((i) => [i.instance, i.faults])).toEqual(after.instances.map((i) => [i.instance, []]));
    expect(await toxicsLeft()).toEqual([]);
    await eventually(async () => (await snapshot()).instances.every((i) => i.state === 'ready') || undefined, 30_000, 'every instance ready');
  });

  it('kill is in the catalogue: the killed instance comes back, and the end of --duration heals the rest', { timeout: 120_000 }, async () => {
    const chaos = new CliProcess(['chaos', '-c', topology.file, '--duration', '3s', '--every', '500ms', '--hold', '1s-2s', '--seed', '7', '--faults', 'kill,partition']);
    const exit = await chaos.exited;
    expect(exit.code, chaos.output).toBe(0);
    const done = /chaos done: (\d+) faults, (\d+) healed\n/.exec(chaos.output);
    expect(Number(done?.[1])).toBeGreaterThanOrEqual(2);
    expect(done?.[2]).toBe(done?.[1]);
    expect(chaos.output).toMatch(/kill\s+on {2}\S+ for /);
    expect(await toxicsLeft()).toEqual([]);
    await eventually(async () => (await snapshot()).instances.every((i) => i.state === 'ready' && i.faults.length === 0) || undefined, 30_000, 'every instance ready, no fault');
  });

  it('names a bad flag', async () => {
    const unknown = await runCli(['chaos', '-c', topology.file, '--faults', 'partiton']);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('chaos: unknown fault "partiton"; did you mean partition?');
    const every = await runCli(['chaos', '-c', topology.file, '--every', 'soon']);
    expect(every.code).toBe(2);
    expect(every.output).toContain('chaos: --every "soon" is not a duration');
  });
});
