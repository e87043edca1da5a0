/**
 * runCanary: a canary release driven through the engine's commands, judged on the new version's own
 * traffic (what its instances' inbound links counted), stage by stage:
 *
 *   for share in stages (10, 50, 100):
 *     set-weight NEW  share / n_new    set-weight OLD  (100 - share) / n_old     (share % of the calls)
 *     hold (longer until min_requests reached NEW, at most 5 holds); errors / requests at NEW's inbound links
 *     rate > max_error_rate, or fewer than min_requests reached NEW  ──> roll back, stop
 *   every stage held ──> promote
 *
 *   promote:   route-version SERVICE NEW   (gateway and proxy call only the new version)  + NEW all weight
 *   roll back: route-version SERVICE OLD   + set-weight NEW 0, OLD its whole share back
 *
 * After the decision it waits until the side that lost has no call left in flight (its inbound counters
 * stand still), so what follows measures the new routing only.
 * An abort (the scenario failed elsewhere) rolls back before it rethrows: a half-shifted canary is never
 * left behind. The weights are per instance, so a share is the service's whatever its replica count.
 */
import type { Command, CommandResult } from '../engine/api.ts';
import type { CanaryRecord, CanaryStage } from './timeline.ts';

const QUIET_MS = 300;
const DRAIN_LIMIT_MS = 5_000;
const SAMPLE_MS = 25;
const EVIDENCE_HOLDS = 5;

export interface CanarySpec {
  id: string;
  /** The new version's service (the step's target) and the one in production. */
  service: string;
  baseline: string;
  stages: number[];
  hold: number;
  max_error_rate: number;
  min_requests: number;
}

export interface CanaryContext {
  command(command: Command): Promise<CommandResult>;
  /** Instances of a topology service with their registry id, if registered. */
  instancesOf(service: string): { instance: string; registryId?: string }[];
  /** The registry name a registered instance has (`go.micro.srv.greeter`). */
  registryNameOf(registryId: string): string | undefined;
  /** The version a topology service registers (`services.<name>.version`). */
  versionOf(service: string): string | undefined;
  served(instance: string): { requests: number; errors: number } | undefined;
  /** Scenario time (ms from the start of the load). */
  now(): number;
  /** Rejects when the scenario aborts. */
  sleep(ms: number): Promise<void>;
  say(line: string): void;
}

export async function runCanary(ctx: CanaryContext, spec: CanarySpec): Promise<CanaryRecord> {
  const newVersion = ctx.versionOf(spec.service);
  const oldVersion = ctx.versionOf(spec.baseline);
  if (!newVersion || !oldVersion) throw new Error(`canary ${spec.id}: ${spec.service} and ${spec.baseline} both need a version`);
  const fresh = ctx.instancesOf(spec.service);
  const old = ctx.instancesOf(spec.baseline);
  const registryId = fresh.find((i) => i.registryId)?.registryId;
  const name = registryId && ctx.registryNameOf(registryId);
  if (!name) throw new Error(`canary ${spec.id}: no instance of ${spec.service} is registered`);
  const record: CanaryRecord = {
    service: name,
    newVersion,
    oldVersion,
    baseline: spec.baseline,
    maxErrorRate: spec.max_error_rate,
    minRequests: spec.min_requests,
    plannedShares: [...spec.stages],
    stages: [],
    outcome: 'rolled_back',
  };
  const must = async (command: Command) => {
    const r = await ctx.command(command);
    if (!r.ok) throw new Error(`canary ${spec.id}: ${command.type} failed: ${r.message}`);
  };
  const shift = async (share: number) => {
    await must({ type: 'set-weight', instance: spec.service, weight: share / Math.max(1, fresh.length) });
    await must({ type: 'set-weight', instance: spec.baseline, weight: (100 - share) / Math.max(1, old.length) });
  };
  const total = () => {
    let requests = 0;
    let errors = 0;
    for (const i of fresh) {
      const s = ctx.served(i.instance);
      requests += s?.requests ?? 0;
      errors += s?.errors ?? 0;
    }
    return { requests, errors };
  };
  const rollBack = async () => {
    await must({ type: 'route-version', service: name, version: oldVersion });
    await shift(0);
  };
  // Calls already on their way to the side that lost still finish there; the release is over once that
  // side's counters stand still for QUIET_MS (or after DRAIN_LIMIT_MS: then `drained` says it did not).
  const drain = async (side: { instance: string }[]) => {
    const decidedAt = ctx.now();
    const count = () => side.reduce((n, i) => n + (ctx.served(i.instance)?.requests ?? 0), 0);
    let last = count();
    let lastMoved = decidedAt;
    while (ctx.now() - lastMoved < QUIET_MS && ctx.now() - decidedAt < DRAIN_LIMIT_MS) {
      await ctx.sleep(SAMPLE_MS);
      const n = count();
      if (n !== last) [last, lastMoved] = [n, ctx.now()];
    }
    record.drainedMs = Math.round(lastMoved - decidedAt);
    record.drained = ctx.now() - lastMoved >= QUIET_MS;
  };

  try {
    for (const share of spec.stages) {
      await shift(share);
      const from = ctx.now();
      const before = total();
      await ctx.sleep(spec.hold);
      // A stage is judged on evidence: it lasts until min_requests calls reached the new version (a slow
      // machine sends fewer), at most EVIDENCE_HOLDS holds; still short then, it rolls back.
      let after = total();
      while (after.requests - before.requests < spec.min_requests && ctx.now() - from < spec.hold * EVIDENCE_HOLDS) {
        await ctx.sleep(SAMPLE_MS);
        after = total();
      }
      const stage = judge(share, from, ctx.now(), after.requests - before.requests, after.errors - before.errors, spec);
      record.stages.push(stage);
      ctx.say(`canary ${spec.id}: ${newVersion} at ${share}%: ${stage.errors}/${stage.requests} failed (${stage.errorRate.toFixed(1)}%) -> ${stage.ok ? 'holds' : 'fails'}`);
      if (!stage.ok) {
        await rollBack();
        await drain(fresh);
        ctx.say(`canary ${spec.id}: rolled back to ${oldVersion}; ${newVersion}'s last call finished ${record.drainedMs} ms later`);
        return record;
      }
    }
    await must({ type: 'route-version', service: name, version: newVersion });
    await shift(100);
    record.outcome = 'promoted';
    await drain(old);
    ctx.say(`canary ${spec.id}: ${newVersion} promoted; ${oldVersion}'s last call finished ${record.drainedMs} ms later`);
    return record;
  } catch (error) {
    await rollBack().catch(() => undefined);
    throw error;
  }
}

/** One stage's verdict: enough requests reached the new version, and few enough of them failed. */
export function judge(share: number, from: number, to: number, requests: number, errors: number, limits: Pick<CanarySpec, 'max_error_rate' | 'min_requests'>): CanaryStage {
  // No call reached it: no evidence either way (NaN: fails every bound; null in the JSON report).
  const errorRate = requests > 0 ? (errors / requests) * 100 : NaN;
  return { share, from, to, requests, errors, errorRate, ok: requests >= limits.min_requests && errorRate <= limits.max_error_rate };
}
