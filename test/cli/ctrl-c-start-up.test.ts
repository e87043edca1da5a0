/**
 * Ctrl-C at any moment of `up`'s start-up: SIGINT at 20 random moments between the spawn and "micro-dev
 * ready" (the seed is printed; MICRO_DEV_TEST_SEED replays it). Every time: exit 0, no stack, no internal
 * error, and nothing left (processes, ports, run file). The one exception is a signal that lands while Node
 * itself boots, before the launcher's first line runs: Node ends the process by the signal, having printed
 * nothing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../runner/faults/seeded-random.ts';
import { CliProcess, eventually, processesWith } from '../support/cli-process.ts';
import { greeterSrv, listenersOn, runFileExists, stackTraceLine, writeSmallTopology, type SmallTopology } from './cli-topology.ts';

const MOMENTS = 20;

/**
 * Whether the launcher's first line has run in process `pid`: it installs listeners for SIGINT, SIGTERM and
 * SIGHUP in one synchronous loop, and Node alone never catches SIGHUP (it does catch SIGINT and SIGTERM from
 * its own start, to restore the terminal and die by the signal). So SIGHUP in /proc's SigCgt mask means
 * micro-dev handles Ctrl-C; its absence means Node is still booting and no micro-dev code has run.
 */
function launcherRan(pid: number): boolean {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^SigCgt:\s*([0-9a-f]+)$/m);
  return line !== null && (BigInt(`0x${line[1]}`) & 1n) !== 0n; // bit 0 = signal 1 (SIGHUP)
}

async function topologyWith(marker: string): Promise<SmallTopology> {
  return writeSmallTopology(`${greeterSrv}  sleeper:
    runtime: process
    command: ["sh", "-c", "echo sleeper started; sleep 300"]
    env: { CTRL_C_MARKER: "${marker}" }
    readiness: { log: { pattern: "sleeper started", timeout: 10s } }
  greeter-api:
    module: ${greeterSrv.split('module: ')[1]!.trim().replace('greeter-srv', 'greeter-api')}
    depends_on: [greeter-srv]
`);
}

describe('Ctrl-C during the start-up of micro-dev up', () => {
  it(`exits 0 with no stack and leaves nothing, at ${MOMENTS} random moments`, async () => {
    const seed = Number(process.env.MICRO_DEV_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`ctrl-c start-up seed: ${seed} (replay with MICRO_DEV_TEST_SEED=${seed})`);
    const random = seededRandom(seed);

    // How long a start-up takes here and now (the machine is shared): the span the moments are drawn from.
    const probeMarker = `ctrl-c-probe-${process.pid}-${Date.now()}`;
    const probe = new CliProcess(['up', '-c', (await topologyWith(probeMarker)).file, '--no-tui']);
    const t0 = performance.now();
    await probe.waitFor('micro-dev ready', 60_000);
    const span = performance.now() - t0;
    probe.child.kill('SIGTERM');
    expect(await probe.exited).toEqual({ code: 0, signal: null });

    const outcomes: string[] = [];
    for (let n = 0; n < MOMENTS; n++) {
      const marker = `ctrl-c-${process.pid}-${Date.now()}-${n}`;
      const topo = await topologyWith(marker);
      const at = Math.round(random() * span);
      const up = new CliProcess(['up', '-c', topo.file, '--no-tui']);
      await new Promise((resolve) => setTimeout(resolve, at)); // the random moment itself (the test's input)
      const sawOutput = up.output.length > 0;
      const booting = !launcherRan(up.child.pid!);
      up.child.kill('SIGINT');
      const exit = await up.exited;
      const what = { moment: n, at, seed, booting, exit, output: up.output };
      if (exit.signal === 'SIGINT' && booting) {
        // Only while Node boots, before the launcher's first line: then nothing was printed.
        expect(what.output, JSON.stringify(what)).toBe('');
        expect(sawOutput).toBe(false);
      } else {
        expect(exit, JSON.stringify(what)).toEqual({ code: 0, signal: null });
      }
      expect(up.output, JSON.stringify(what)).not.toMatch(stackTraceLine);
      expect(up.output, JSON.stringify(what)).not.toContain('internal error');
      expect(up.output, JSON.stringify(what)).not.toMatch(/^micro-dev: /m);
      await eventually(async () => (await processesWith(marker)).length === 0, 10_000, `moment ${n} (${at} ms): the sleeper to be gone`);
      expect(runFileExists(topo), JSON.stringify(what)).toBe(false);
      expect(await listenersOn(Object.values(topo.ports)), JSON.stringify(what)).toEqual([]);
      outcomes.push(`${at} ms${booting ? ' (node booting)' : ''}: ${exit.signal ?? `exit ${exit.code}`}${up.output.includes('micro-dev ready') ? ' (after ready)' : ''}`);
    }
    console.log(`ctrl-c start-up moments (span ${Math.round(span)} ms): ${outcomes.join(', ')}`);
  }, 240_000);
});
