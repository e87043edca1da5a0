/**
 * runChaos: chaos-monkey mode. Every `every`, a random fault from the catalogue goes on a random ready
 * instance for a random time; each one is logged when it starts and when it heals. Everything goes through
 * the engine's commands (OrchestratorApi: the same `fault-add` / `fault-rm` / `kill` / `start` the
 * dashboard keys and `micro-dev fault` use), so a remote `up` (its control API) is driven the same way.
 *
 *   tick (every) ──pick fault, target, hold (seeded)──> command(fault-add | kill) ──log "on"
 *                                   hold timer ──────> command(fault-rm | start if it did not come back) ──log "healed"
 *   duration over / signal aborted ──> heal every fault still on, then resolve with the tally
 *
 * It never leaves a fault behind: a heal that fails is retried at the end, and what still fails is
 * reported in `unhealed` (so the caller can say so and exit non-zero). At most half the instances (at least
 * one) carry a chaos fault at a time, one fault per instance.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { InstanceFaultKinds, type Command, type CommandResult, type InstanceFaultKind, type Snapshot } from '../engine/api.ts';
import { seededRandom } from '../faults/seeded-random.ts';

/** The catalogue chaos draws from: the instance faults, plus `kill` (the restart policy brings it back). */
export const ChaosFaultKinds = [...InstanceFaultKinds, 'kill'] as const;
export type ChaosFault = (typeof ChaosFaultKinds)[number];

export interface ChaosOptions {
  /** How long to keep injecting, ms. */
  durationMs: number;
  /** Time between two new faults, ms. */
  everyMs: number;
  faults: readonly ChaosFault[];
  seed: number;
  /** Each fault lasts a random time in [min, max] ms (default [everyMs, 3 x everyMs]). */
  holdMs?: [number, number];
  /** Aborting stops new faults and heals the ones on (Ctrl-C). */
  signal?: AbortSignal;
  /** One line per fault on and per heal. */
  log: (line: string) => void;
}

export interface ChaosSummary {
  applied: number;
  healed: number;
  /** Faults a heal could not take off, as `fault instance: why` (empty when all healed). */
  unhealed: string[];
}

interface ChaosTarget {
  snapshot(): Snapshot;
  command(command: Command): Promise<CommandResult>;
}

interface Active {
  fault: ChaosFault;
  instance: string;
  timer: NodeJS.Timeout;
  healing?: Promise<void>;
}

export async function runChaos(api: ChaosTarget, options: ChaosOptions): Promise<ChaosSummary> {
  if (options.faults.length === 0) throw new Error('chaos: no fault to choose from');
  const random = seededRandom(options.seed);
  const [minHold, maxHold] = options.holdMs ?? [options.everyMs, 3 * options.everyMs];
  const t0 = performance.now();
  const stamp = () => `+${((performance.now() - t0) / 1000).toFixed(1)}s`.padStart(8);
  const active = new Map<string, Active>();
  const summary: ChaosSummary = { applied: 0, healed: 0, unhealed: [] };
  const failedHeals: { fault: ChaosFault; instance: string; why: string }[] = [];

  const heal = (a: Active, why: string): Promise<void> =>
    (a.healing ??= (async () => {
      clearTimeout(a.timer);
      try {
        await undo(api, a);
        summary.healed++;
        options.log(`chaos ${stamp()}  ${a.fault.padEnd(14)} off ${a.instance} (${why})`);
      } catch (error) {
        failedHeals.push({ fault: a.fault, instance: a.instance, why: (error as Error).message });
        options.log(`chaos ${stamp()}  ${a.fault.padEnd(14)} heal of ${a.instance} failed: ${(error as Error).message}`);
      } finally {
        active.delete(a.instance);
      }
    })());

  const deadline = t0 + options.durationMs;
  try {
    while (!options.signal?.aborted && performance.now() < deadline) {
      const ready = api.snapshot().instances.filter((i) => i.state === 'ready' && !active.has(i.instance) && i.faults.length === 0);
      const cap = Math.max(1, Math.floor(api.snapshot().instances.length / 2));
      if (ready.length > 0 && active.size < cap) {
        const target = ready[Math.floor(random() * ready.length)].instance;
        const fault = options.faults[Math.floor(random() * options.faults.length)];
        const holdMs = Math.round(minHold + random() * (maxHold - minHold));
        const result = await apply(api, fault, target);
        if (result.ok) {
          summary.applied++;
          const a: Active = { fault, instance: target, timer: setTimeout(() => void heal(a, `after ${(holdMs / 1000).toFixed(1)}s`), holdMs) };
          active.set(target, a);
          options.log(`chaos ${stamp()}  ${fault.padEnd(14)} on  ${target} for ${(holdMs / 1000).toFixed(1)}s`);
        } else {
          options.log(`chaos ${stamp()}  ${fault.padEnd(14)} on  ${target} refused: ${result.message}`);
        }
      }
      const wait = Math.min(options.everyMs, deadline - performance.now());
      if (wait > 0) await sleep(wait, undefined, { signal: options.signal }).catch(() => undefined);
    }
  } finally {
    const why = options.signal?.aborted ? 'stopped' : 'chaos over';
    await Promise.all([...active.values()].map((a) => heal(a, why)));
    // One more try for what did not heal the first time (e.g. the instance was restarting).
    for (const f of failedHeals.splice(0)) {
      try {
        await undo(api, { fault: f.fault, instance: f.instance });
        summary.healed++;
        options.log(`chaos ${stamp()}  ${f.fault.padEnd(14)} off ${f.instance} (retried)`);
      } catch (error) {
        summary.unhealed.push(`${f.fault} ${f.instance}: ${(error as Error).message}`);
      }
    }
  }
  return summary;
}

async function apply(api: ChaosTarget, fault: ChaosFault, instance: string): Promise<CommandResult> {
  if (fault === 'kill') return api.command({ type: 'kill', instance });
  return api.command({ type: 'fault-add', instance, fault: fault as InstanceFaultKind });
}

/** Takes a fault off; a killed instance that did not come back by itself (restart policy `no`) is started. */
async function undo(api: ChaosTarget, a: { fault: ChaosFault; instance: string }): Promise<void> {
  if (a.fault === 'kill') {
    const view = api.snapshot().instances.find((i) => i.instance === a.instance);
    if (view && (view.state === 'failed' || view.state === 'stopped')) await must(api.command({ type: 'start', instance: a.instance }));
    return;
  }
  await must(api.command({ type: 'fault-rm', instance: a.instance, fault: a.fault }));
}

async function must(result: Promise<CommandResult>): Promise<void> {
  const r = await result;
  if (!r.ok) throw new Error(r.message);
}
