/**
 * runScenario: one scenario, start to verdict, on a stage (scenario-stage.ts): by default a topology of its
 * own (free ports, local-stage.ts); with `against`, a system that already runs (`scenario run --against`):
 *
 *   start topology ─> (static proxy) ─> load on ─┬─ before window (steady state) ─┬─ steps on their timeline
 *                                                 │  sampler: registry + instances every 25 ms        │
 *   verdict <─ expectations on the Timeline <─ load off <─ after window <─ settle (all ready+passing) ┘
 *   rollbacks (heal every fault still on, start / resume) run ALWAYS, also after a deviation or an error
 *
 * Never throws for a scenario that ran badly: the result says `error` with the reason. The engine and
 * everything started here are stopped before it resolves. A check the stage cannot observe, or that hangs on
 * a step the stage could not apply, is `unjudged` (judge-observable.ts): the verdict is then `unjudged`
 * unless a judged check failed, never `held`.
 */
import type { Heal } from './apply-fault.ts';
import type { Scenario } from './check-scenario-text.ts';
import { evaluateExpectation, evaluateSteadyState, type ExpectationResult } from './evaluate-expectation.ts';
import { LoadGenerator } from './load-generator.ts';
import { planTargets } from './plan-targets.ts';
import { RegistryMemberFaults, type LoadSpec, type StepSpec } from './scenario-schema.ts';
import type { FrontProxy } from './front-proxy.ts';
import { scenarioView } from './scenario-view.ts';
import { stepTraceDetails, stepTraces, type StepTraces } from './step-traces.ts';
import type { ScenarioView, TraceDetail } from '../engine/api.ts';
import type { LeaderRecord, LogRecord, RequestRecord, StepRecord, Timeline } from './timeline.ts';
import { startLocalStage } from './local-stage.ts';
import type { ScenarioStage } from './scenario-stage.ts';
import { NOT_OBSERVED, unjudged, unjudgedReason } from './judge-observable.ts';
import { parseLeaderLine } from './leadership-math.ts';
import { requestStats, type RequestStats } from './verdict-math.ts';

export interface ScenarioRunOptions {
  /** Overrides the file's seed (replay). */
  seed?: number;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  /**
   * The scenario as a dashboard shows it: once at once (every step pending, while its topology starts), on
   * every step change and once with the verdict. Must not throw.
   */
  onView?: (view: ScenarioView, message?: string) => void;
  /**
   * The traces the steps list (failed and slowest, with every span), read before the stage closes: the
   * dashboard keeps them so its scenario pane links to them after the scenario's own topology is gone.
   */
  onTraces?: (traces: TraceDetail[]) => void;
  /** The progress of the scenario's own topology (instances starting, ready, crashing; registry events). */
  onTopologyProgress?: (line: string) => void;
  /** Runs against this stage instead of a topology of its own (`scenario run --against`). */
  against?: (say: (line: string) => void) => Promise<ScenarioStage>;
}

/** `unjudged`: no judged check failed, but some could not be judged (never a pass). */
export type Verdict = 'held' | 'failed' | 'unjudged' | 'error';

export interface ScenarioResult {
  name: string;
  description: string;
  seed: number;
  verdict: Verdict;
  startedAt: string;
  durationMs: number;
  steps: StepRecord[];
  /** Whole-run numbers per load; `failures`: the most frequent reasons (error code or answer), with counts. */
  loads: ({ name: string; through: string; skipped: number; failures: { reason: string; count: number }[] } & RequestStats)[];
  hypothesis: { before: ExpectationResult[]; after: ExpectationResult[] };
  expectations: ExpectationResult[];
  rollbacks: { action: string; ok: boolean; detail: string }[];
  /** Per step: the failed and the slowest traces that started during it (when tracing is on). */
  traces?: StepTraces[];
  error?: string;
  /** What it ran against, when not a topology of its own. */
  against?: string;
  /** Steps the stage could not put in place, with the reason. */
  notApplied?: { step: string; fault: string; reason: string }[];
  timeline: Timeline;
}

const SAMPLE_MS = 25;

export async function runScenario(scenario: Scenario, options: ScenarioRunOptions = {}): Promise<ScenarioResult> {
  const seed = options.seed ?? scenario.seed;
  const say = (line: string) => options.onProgress?.(`[${scenario.name}] ${line}`);
  const show = (message?: string, results?: ExpectationResult[]) => options.onView?.(scenarioView(scenario, started, timeline.steps, results, traces), message);
  const started = Date.now();
  const abort = new AbortController();
  options.signal?.addEventListener('abort', () => abort.abort(options.signal!.reason), { once: true });
  const timeline: Timeline = { requests: [], samples: [], steps: [], endAt: 0 };
  const heals = new Map<string, Heal>();
  const loads: LoadGenerator[] = [];
  const rollbacks: ScenarioResult['rollbacks'] = [];
  let error: string | undefined;
  let stage: ScenarioStage | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let unfollowLogs: (() => void) | undefined;
  let traces: StepTraces[] | undefined;
  const notApplied = new Map<string, string>();
  // Leadership beliefs on the absolute clock; made relative to the load's start at the end.
  const beliefs: LeaderRecord[] = [];
  // Output lines a log_lines expectation looks for (absolute clock until the end, like beliefs).
  const logPatterns = scenario.expect.flatMap((e) => (e.metric === 'log_lines' ? [new RegExp(e.pattern)] : []));
  const logs: LogRecord[] = [];
  let plan = new Map<string, string[]>();
  let t0 = performance.now();
  const now = () => performance.now() - t0;
  const hypothesis = scenario.steadyState;
  const windowMs = hypothesis?.window ?? 1000;

  try {
    if (options.against) {
      stage = await options.against(say);
      say(`against ${stage.description} (seed ${seed})`);
    } else {
      say(`starting topology (${scenario.topology.services.map((s) => `${s.name} x${s.replicas}`).join(', ')}; registry ${scenario.topology.registry.kind === 'etcd' ? `etcd x${scenario.topology.registry.nodes}` : scenario.topology.registry.semantics}, time_scale ${scenario.topology.registry.timeScale}; seed ${seed})`);
    }
    show();
    if (!stage) stage = await startLocalStage(scenario, { ...(options.onTopologyProgress ? { onTopologyProgress: options.onTopologyProgress } : {}), say });
    const st = stage;
    for (const step of scenario.steps) {
      const why = st.cannotApply(step);
      if (why) {
        notApplied.set(step.id, why);
        say(`step ${step.id} (${step.fault}) will not be applied: ${why}`);
      }
    }
    unfollowLogs = st.onLogLine((instance, line, at) => {
      const belief = parseLeaderLine(line);
      if (belief) beliefs.push({ at, instance, ...belief });
      if (logPatterns.some((p) => p.test(line))) logs.push({ at, instance, line });
    });
    const staticProxy = st.staticProxy;
    plan = planTargets(scenario.steps, st.candidates(), seed);
    await warmUp(scenario, st.gatewayUrl, staticProxy);
    t0 = performance.now();
    const sample = () => timeline.samples.push(st.sample(now()));
    if (st.observes !== 'load') {
      sample();
      sampler = setInterval(sample, SAMPLE_MS);
    }
    for (const spec of scenario.loads) {
      const viaProxy = spec.through === 'static-proxy';
      if (viaProxy && !staticProxy) throw new Error(`load ${spec.name} goes through the static proxy, which ${st.description} does not have`);
      loads.push(
        new LoadGenerator(
          {
            name: spec.name,
            origin: viaProxy ? `http://${staticProxy!.address}` : st.gatewayUrl,
            ...(viaProxy ? mucpRequest(scenario) : gatewayRequest(spec)),
            rate: spec.rate,
            concurrency: spec.concurrency,
            timeoutMs: spec.timeout,
          },
          { t0 },
        ),
      );
    }
    say(`load on: ${scenario.loads.map((l) => `${l.name} ${l.rate}/s via ${l.through}`).join(', ') || 'none'}`);

    const firstAt = Math.min(...scenario.steps.map((s) => s.at), windowMs);
    // Ends a little before the first fault: a request sent 2 ms before a kill belongs to the fault, not the baseline.
    const guard = Math.min(100, firstAt / 10);
    timeline.before = [Math.max(0, firstAt - guard - windowMs), firstAt - guard];
    // The first step that fails stops the others (their waits reject), so no fault lands after the rollback.
    let firstError: unknown;
    const outcomes = await Promise.allSettled(
      scenario.steps.map((step) =>
        runStep(step).catch((e: unknown) => {
          firstError ??= e;
          abort.abort(e);
          throw e;
        }),
      ),
    );
    if (outcomes.some((o) => o.status === 'rejected')) throw firstError;
    if (scenario.steps.length === 0) await sleepUntil(firstAt);

    if (stage.observes !== 'load') {
      const settled = await stage.settle(scenario.settleMs, abort.signal);
      say(settled ? `settled at +${fmt(now())}: every instance ready and passing` : `not settled after ${scenario.settleMs} ms`);
    } else {
      const settled = await settleByLoad(scenario.settleMs, abort.signal);
      say(settled ? `settled at +${fmt(now())}: every request of the last second succeeded` : `not settled after ${scenario.settleMs} ms (requests still failing)`);
    }
    const afterFrom = now();
    timeline.after = [afterFrom, afterFrom + windowMs];
    await sleepUntil(afterFrom + windowMs);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    say(`error: ${error}`);
  } finally {
    for (const [step, heal] of heals) {
      rollbacks.push(await attempt(`heal ${step}`, heal));
    }
    heals.clear();
    if (stage) {
      for (const rb of scenario.rollbacks) {
        if (rb.action === 'heal') continue;
        const action = rb.action;
        rollbacks.push(await attempt(action, () => stage!.rollback(action)));
      }
    }
    await Promise.all(loads.map((l) => l.stop()));
    timeline.endAt = now();
    if (stage?.traces && timeline.steps.length > 0) {
      const origin = performance.timeOrigin + t0;
      traces = await stepTraces(stage.traces, timeline.steps, { wallMs: (t) => origin + t, endAt: timeline.endAt }).catch(() => undefined);
      if (traces && options.onTraces) options.onTraces(await stepTraceDetails(stage.traces, traces).catch(() => []));
    }
    if (sampler) clearInterval(sampler);
    const writes = stage?.registryWrites?.();
    if (writes) timeline.registryWrites = writes.filter((w) => w.at >= 0);
    unfollowLogs?.();
    await stage?.close().catch(() => undefined);
  }

  if (beliefs.length) timeline.leadership = beliefs.map((b) => ({ ...b, at: b.at - t0 }));
  if (logs.length) timeline.logs = logs.map((l) => ({ ...l, at: l.at - t0 }));
  for (const l of loads) timeline.requests.push(...l.records);
  timeline.requests.sort((a, b) => a.at - b.at);
  const defaultLoad = scenario.loads[0]?.name;
  const observes = stage?.observes ?? 'everything';
  const steady = (window: [number, number] | undefined, phase: 'before' | 'after') => {
    if (!hypothesis || error) return [];
    if (observes !== 'load' || !hypothesis.passing) return evaluateSteadyState(hypothesis, timeline, window, phase, defaultLoad);
    const { passing, ...loadOnly } = hypothesis;
    return [
      ...evaluateSteadyState(loadOnly, timeline, window, phase, defaultLoad),
      unjudged(`steady state ${phase}: ${passing.service} passing >= ${passing.min}`, `passing ${NOT_OBSERVED}`),
    ];
  };
  const before = steady(timeline.before, 'before');
  const after = steady(timeline.after, 'after');
  const expectations = error
    ? []
    : scenario.expect.map((e) => {
        const reason = unjudgedReason(e, observes, notApplied);
        const judged = evaluateExpectation(e, timeline, defaultLoad);
        return reason ? unjudged(judged.label, reason) : judged;
      });
  const failedRollback = rollbacks.find((r) => !r.ok);
  if (failedRollback && !error) error = `rollback ${failedRollback.action} failed: ${failedRollback.detail}`;
  const checks = [...before, ...after, ...expectations];
  const verdict: Verdict = error ? 'error' : checks.some((r) => !r.ok && !r.unjudged) ? 'failed' : checks.some((r) => r.unjudged) ? 'unjudged' : 'held';
  const result: ScenarioResult = {
    name: scenario.name,
    description: scenario.description,
    seed,
    verdict,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    steps: timeline.steps,
    loads: loads.map((l) => ({
      name: l.target.name,
      through: scenario.loads.find((s) => s.name === l.target.name)!.through,
      skipped: l.skipped,
      failures: topReasons(l.records),
      ...requestStats(timeline.requests, [0, timeline.endAt], l.target.name),
    })),
    hypothesis: { before, after },
    expectations,
    rollbacks,
    ...(traces ? { traces } : {}),
    ...(error ? { error } : {}),
    ...(options.against && stage ? { against: stage.description } : {}),
    ...(notApplied.size ? { notApplied: scenario.steps.filter((s) => notApplied.has(s.id)).map((s) => ({ step: s.id, fault: s.fault, reason: notApplied.get(s.id)! })) } : {}),
    timeline,
  };
  say(`verdict: ${result.verdict}`);
  show(`verdict: ${result.verdict}`, [...before, ...expectations, ...after]);
  return result;

  async function runStep(step: StepSpec): Promise<void> {
    await sleepUntil(step.at);
    const st = stage!;
    if (notApplied.has(step.id)) {
      // Not applied, but the load keeps its length: the run observes the same span of time.
      await sleepUntil(step.at + (step.duration ?? 1000));
      return;
    }
    const targets = step.leader !== undefined ? st.lockHolder(step.leader) : (plan.get(step.id) ?? []);
    const facts = targets.map((t) => st.instanceFacts(t));
    const record: StepRecord = {
      id: step.id,
      fault: step.fault,
      targets,
      targetIds: facts.map((f) => f.registryId),
      restartsAtStart: facts.map((f) => f.restarts ?? 0),
      startAt: now(),
      endAt: 0,
    };
    timeline.steps.push(record);
    const onRegistry = step.fault in RegistryMemberFaults;
    if (targets.length === 0 && !onRegistry) {
      throw new Error(step.leader !== undefined ? `step ${step.id}: no instance holds lock ${step.leader}` : `step ${step.id}: no instance matches target ${JSON.stringify(step.target)}`);
    }
    // A registry member fault aims at members (resolved by the engine when applied), not at instances.
    if (onRegistry) record.targets = [];
    const heal = await st.applyFault(step, onRegistry ? [] : targets, { signal: abort.signal, record, now, sleep: (ms) => sleepUntil(now() + ms), say });
    // A registry fault first asks the members who leads: it counts from the moment it is in place.
    if (onRegistry) Object.assign(record, { startAt: now(), targetIds: [], restartsAtStart: [] });
    say(`+${fmt(record.startAt)} ${step.fault} ${record.targets.join(', ')}${step.duration !== undefined ? ` for ${step.duration} ms` : ''}`);
    show(`${step.id}: ${step.fault} ${record.targets.join(', ')}`);
    heals.set(step.id, heal);
    await sleepUntil(record.startAt + (step.duration ?? 1000));
    heals.delete(step.id);
    record.healAt = now();
    await heal();
    record.endAt = now();
    if (step.fault !== 'kill' && step.fault !== 'rolling-restart') say(`+${fmt(record.endAt)} healed ${step.id}`);
    show(`${step.id} done`);
  }

  /** Without a view of the registry: settled once every request of the last second succeeded. */
  async function settleByLoad(limitMs: number, signal: AbortSignal): Promise<boolean> {
    const deadline = performance.now() + limitMs;
    while (performance.now() < deadline && !signal.aborted) {
      const t = now();
      const recent = loads.flatMap((l) => l.records).filter((r) => r.at >= t - 1000 && r.at + r.ms <= t);
      if (recent.length > 0 && recent.every((r) => r.ok)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  function sleepUntil(t: number): Promise<void> {
    const ms = t - now();
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener('abort', () => (clearTimeout(timer), reject(abort.signal.reason)), { once: true });
    });
  }
}

/** Half a second of load whose answers are thrown away: first calls pay for JIT, connections and caches. */
async function warmUp(scenario: Scenario, gatewayUrl: string, staticProxy: FrontProxy | undefined): Promise<void> {
  const warm = scenario.loads.map(
    (spec) =>
      new LoadGenerator(
        {
          name: spec.name,
          origin: spec.through === 'static-proxy' ? `http://${staticProxy!.address}` : gatewayUrl,
          ...(spec.through === 'static-proxy' ? mucpRequest(scenario) : gatewayRequest(spec)),
          rate: Math.min(spec.rate, 50),
          concurrency: 4,
          timeoutMs: spec.timeout,
        },
        { t0: performance.now(), maxMs: 2000 },
      ),
  );
  await new Promise((r) => setTimeout(r, 500));
  await Promise.all(warm.map((w) => w.stop()));
}

function gatewayRequest(spec: LoadSpec) {
  if (spec.method === 'GET') return { path: spec.path };
  return { path: spec.path, method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec.body ?? {}) };
}

/** The go-micro wire call the static proxy forwards to a srv replica (micro-api.md §6.1). */
function mucpRequest(scenario: Scenario) {
  const upstream = scenario.topology.services.find((s) => s.name === scenario.staticProxy!.upstream)!;
  return {
    path: '/',
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', 'micro-service': `go.micro.${upstream.tier}.${upstream.name.replace(/-(srv|api|web)$/, '')}`, 'micro-endpoint': 'Say.Hello' },
    body: JSON.stringify({ name: 'John' }),
    accept: (_status: number, headers: Record<string, string | string[] | undefined>) => headers['micro-error'] === undefined,
  };
}

async function attempt(action: string, fn: () => Promise<void>): Promise<{ action: string; ok: boolean; detail: string }> {
  try {
    await fn();
    return { action, ok: true, detail: 'done' };
  } catch (e) {
    return { action, ok: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

function topReasons(records: readonly RequestRecord[], limit = 3): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const r of records) {
    if (r.ok) continue;
    const reason = r.error ?? `HTTP ${r.status}`;
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([reason, count]) => ({ reason, count }));
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
