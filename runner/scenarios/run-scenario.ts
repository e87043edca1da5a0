/**
 * runScenario: one scenario, start to verdict, on a topology of its own (free ports):
 *
 *   start topology ─> (static proxy) ─> load on ─┬─ before window (steady state) ─┬─ steps on their timeline
 *                                                 │  sampler: registry + instances every 25 ms        │
 *   verdict <─ expectations on the Timeline <─ load off <─ after window <─ settle (all ready+passing) ┘
 *   rollbacks (heal every fault still on, start / resume) run ALWAYS, also after a deviation or an error
 *
 * Never throws for a scenario that ran badly: the result says `error` with the reason. The engine and
 * everything started here are stopped before it resolves.
 */
import { createRuntimes } from '../cli/create-runtimes.ts';
import { Orchestrator } from '../engine/orchestrator.ts';
import type { TargetableInstance } from '../faults/select-targets.ts';
import { applyFault, type Heal } from './apply-fault.ts';
import type { Scenario } from './check-scenario-text.ts';
import { evaluateExpectation, evaluateSteadyState, type ExpectationResult } from './evaluate-expectation.ts';
import { LoadGenerator } from './load-generator.ts';
import { planTargets, STATIC_PROXY } from './plan-targets.ts';
import { RegistryMemberFaults, type LoadSpec, type StepSpec } from './scenario-schema.ts';
import { startFrontProxy, type FrontProxy } from './front-proxy.ts';
import { scenarioView } from './scenario-view.ts';
import { stepTraces, type StepTraces } from './step-traces.ts';
import type { ScenarioView } from '../engine/api.ts';
import type { LeaseState, LeaderRecord, RegistrySample, RequestRecord, StepRecord, Timeline } from './timeline.ts';
import { parseLeaderLine } from './leadership-math.ts';
import { requestStats, type RequestStats } from './verdict-math.ts';
import { runCanary } from './canary-release.ts';

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
  /** The progress of the scenario's own topology (instances starting, ready, crashing; registry events). */
  onTopologyProgress?: (line: string) => void;
}

export type Verdict = 'held' | 'failed' | 'error';

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
  timeline: Timeline;
}

const SAMPLE_MS = 25;

export async function runScenario(scenario: Scenario, options: ScenarioRunOptions = {}): Promise<ScenarioResult> {
  const seed = options.seed ?? scenario.seed;
  const say = (line: string) => options.onProgress?.(`[${scenario.name}] ${line}`);
  const show = (message?: string, results?: ExpectationResult[]) => options.onView?.(scenarioView(scenario, started, timeline.steps, results), message);
  const started = Date.now();
  const abort = new AbortController();
  options.signal?.addEventListener('abort', () => abort.abort(options.signal!.reason), { once: true });
  const timeline: Timeline = { requests: [], samples: [], steps: [], endAt: 0 };
  const heals = new Map<string, Heal>();
  const loads: LoadGenerator[] = [];
  const rollbacks: ScenarioResult['rollbacks'] = [];
  let error: string | undefined;
  let orchestrator: Orchestrator | undefined;
  let staticProxy: FrontProxy | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let etcdPoll: NodeJS.Timeout | undefined;
  let unfollowLogs: (() => void) | undefined;
  let traces: StepTraces[] | undefined;
  // Leadership beliefs on the absolute clock; made relative to the load's start at the end.
  const beliefs: LeaderRecord[] = [];
  let plan = new Map<string, string[]>();
  let t0 = performance.now();
  const now = () => performance.now() - t0;
  const hypothesis = scenario.steadyState;
  const windowMs = hypothesis?.window ?? 1000;

  try {
    say(`starting topology (${scenario.topology.services.map((s) => `${s.name} x${s.replicas}`).join(', ')}; registry ${scenario.topology.registry.semantics}, time_scale ${scenario.topology.registry.timeScale}; seed ${seed})`);
    show();
    const o = new Orchestrator(scenario.topology, {
      runtimes: await createRuntimes(scenario.topology),
      onProgress: options.onTopologyProgress && ((line) => options.onTopologyProgress!(`[${scenario.name}] ${line}`)),
    });
    orchestrator = o;
    unfollowLogs = o.subscribe((u) => {
      if (!('event' in u) || u.event.type !== 'log') return;
      const belief = parseLeaderLine(u.event.line);
      if (belief) beliefs.push({ at: performance.now(), instance: u.event.instance, ...belief });
    });
    await o.start();
    const infra = o.infrastructure!;
    if (scenario.staticProxy) {
      const upstream = scenario.staticProxy.upstream;
      const addresses = o.snapshot().instances.filter((i) => i.service === upstream && i.address).map((i) => i.address!);
      staticProxy = await startFrontProxy(scenario.staticProxy.engine, addresses);
      say(`static proxy (${staticProxy.engine}) on ${staticProxy.address} -> fixed upstreams ${addresses.join(', ')}`);
    }
    const instances = o.snapshot().instances.map((i) => i.instance);
    plan = planTargets(scenario.steps, targetCandidates(o, staticProxy !== undefined), seed);
    await warmUp(scenario, infra.gateway.url, staticProxy);
    t0 = performance.now();
    // etcd's registrations are read asynchronously (every 100 ms); samples take the last answer.
    const etcd = infra.etcd;
    if (etcd) {
      etcdIds.set(o, new Set((await etcd.registeredNodes()).map((n) => n.id)));
      let polling = false;
      etcdPoll = setInterval(() => {
        if (polling) return;
        polling = true;
        void etcd
          .registeredNodes()
          .then((nodes) => (etcdIds.set(o, new Set(nodes.map((n) => n.id)))))
          .catch(() => undefined)
          .finally(() => (polling = false));
      }, 100);
    }
    const sample = () => timeline.samples.push(takeSample(o, instances, now()));
    sample();
    sampler = setInterval(sample, SAMPLE_MS);
    for (const spec of scenario.loads) {
      const viaProxy = spec.through === 'static-proxy';
      loads.push(
        new LoadGenerator(
          {
            name: spec.name,
            origin: viaProxy ? `http://${staticProxy!.address}` : infra.gateway.url,
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

    const settled = await settle(o, instances, scenario.settleMs, abort.signal);
    say(settled ? `settled at +${fmt(now())}: every instance ready and passing` : `not settled after ${scenario.settleMs} ms`);
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
    if (orchestrator) {
      for (const rb of scenario.rollbacks) {
        if (rb.action === 'heal') continue;
        rollbacks.push(await attempt(rb.action, () => extraRollback(orchestrator!, rb.action)));
      }
    }
    await Promise.all(loads.map((l) => l.stop()));
    timeline.endAt = now();
    if (orchestrator?.tracing && timeline.steps.length > 0) {
      const origin = performance.timeOrigin + t0;
      traces = await stepTraces(orchestrator, timeline.steps, { wallMs: (t) => origin + t, endAt: timeline.endAt }).catch(() => undefined);
    }
    if (sampler) clearInterval(sampler);
    if (etcdPoll) clearInterval(etcdPoll);
    unfollowLogs?.();
    await staticProxy?.close();
    await orchestrator?.shutdown().catch(() => undefined);
  }

  if (beliefs.length) timeline.leadership = beliefs.map((b) => ({ ...b, at: b.at - t0 }));
  for (const l of loads) timeline.requests.push(...l.records);
  timeline.requests.sort((a, b) => a.at - b.at);
  const defaultLoad = scenario.loads[0]?.name;
  const before = hypothesis && !error ? evaluateSteadyState(hypothesis, timeline, timeline.before, 'before', defaultLoad) : [];
  const after = hypothesis && !error ? evaluateSteadyState(hypothesis, timeline, timeline.after, 'after', defaultLoad) : [];
  const expectations = error ? [] : scenario.expect.map((e) => evaluateExpectation(e, timeline, defaultLoad));
  const failedRollback = rollbacks.find((r) => !r.ok);
  if (failedRollback && !error) error = `rollback ${failedRollback.action} failed: ${failedRollback.detail}`;
  const allOk = [...before, ...after, ...expectations].every((r) => r.ok);
  const result: ScenarioResult = {
    name: scenario.name,
    description: scenario.description,
    seed,
    verdict: error ? 'error' : allOk ? 'held' : 'failed',
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
    timeline,
  };
  say(`verdict: ${result.verdict}`);
  show(`verdict: ${result.verdict}`, [...before, ...expectations, ...after]);
  return result;

  async function runStep(step: StepSpec): Promise<void> {
    await sleepUntil(step.at);
    const o = orchestrator!;
    const targets = step.leader !== undefined ? lockHolder(o, step.leader) : (plan.get(step.id) ?? []);
    const record: StepRecord = {
      id: step.id,
      fault: step.fault,
      targets,
      targetIds: targets.map((t) => o.supervisor(t)?.view.registryId),
      restartsAtStart: targets.map((t) => o.supervisor(t)?.view.restarts ?? 0),
      startAt: now(),
      endAt: 0,
    };
    timeline.steps.push(record);
    const onRegistry = step.fault in RegistryMemberFaults;
    if (targets.length === 0 && !onRegistry) {
      throw new Error(step.leader !== undefined ? `step ${step.id}: no instance holds lock ${step.leader}` : `step ${step.id}: no instance matches target ${JSON.stringify(step.target)}`);
    }
    const canary = async (spec: Extract<StepSpec, { fault: 'canary' }>) => {
      const service = spec.target.service ?? o.supervisor(targets[0]!)!.view.service;
      record.canary = await runCanary(
        {
          command: (c) => o.command(c),
          instancesOf: (s) => o.snapshot().instances.filter((i) => i.service === s).map((i) => ({ instance: i.instance, ...(i.registryId ? { registryId: i.registryId } : {}) })),
          registryNameOf: (id) => o.infrastructure?.registry?.status().leases.find((l) => l.serviceId === id)?.service,
          versionOf: (s) => scenario.topology.services.find((c) => c.name === s)?.version,
          served: (i) => o.served(i),
          now,
          sleep: (ms) => sleepUntil(now() + ms),
          say,
        },
        { ...spec, service },
      );
    };
    // A registry member fault aims at members (resolved by the engine when applied), not at instances.
    if (onRegistry) record.targets = [];
    const heal = await applyFault(
      {
        orchestrator: o,
        ...(staticProxy ? { staticProxy } : {}),
        waitReady: (i, signal) => waitReady(o, i, signal),
        signal: abort.signal,
        onMembers: (members) => (record.targets = members),
        canary,
      },
      step,
      onRegistry ? [] : targets,
    );
    say(`+${fmt(record.startAt)} ${step.fault} ${record.targets.join(', ')}${step.duration !== undefined ? ` for ${step.duration} ms` : ''}`);
    show(`${step.id}: ${step.fault} ${record.targets.join(', ')}`);
    heals.set(step.id, heal);
    await sleepUntil(record.startAt + (step.duration ?? 1000));
    heals.delete(step.id);
    await heal();
    record.endAt = now();
    if (step.fault !== 'kill' && step.fault !== 'rolling-restart') say(`+${fmt(record.endAt)} healed ${step.id}`);
    show(`${step.id} done`);
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

/** What a step may hit: every instance of the topology (names are stable), and the static proxy if any. */
export function targetCandidates(o: { snapshot(): { instances: TargetableInstance[] } }, staticProxy: boolean): TargetableInstance[] {
  return [
    ...o.snapshot().instances.map((i) => ({ instance: i.instance, service: i.service, tier: i.tier })),
    ...(staticProxy ? [{ instance: STATIC_PROXY, service: STATIC_PROXY, tier: 'other' as const }] : []),
  ];
}

/** The instance holding a KV lock now (the kit names its session after MICRO_DEV_INSTANCE). */
function lockHolder(o: Orchestrator, key: string): string[] {
  const name = o.infrastructure?.registry?.status().locks?.find((l) => l.key === key)?.name;
  return name && o.supervisor(name) ? [name] : [];
}

/** Node ids registered in etcd, as last read (a key lives as long as its lease: registered = passing). */
const etcdIds = new WeakMap<Orchestrator, Set<string>>();

function takeSample(o: Orchestrator, instances: string[], at: number): RegistrySample {
  const status = o.infrastructure?.registry?.status();
  const leases: Record<string, LeaseState> = {};
  for (const l of status?.leases ?? []) leases[l.serviceId] = l.status;
  for (const id of etcdIds.get(o) ?? []) leases[id] = 'passing';
  const locks = status?.locks?.length ? Object.fromEntries(status.locks.map((l) => [l.key, l.name])) : undefined;
  const members = o.infrastructure?.registryMembers ?? [];
  return {
    at,
    instances: instances.map((name) => {
      const v = o.supervisor(name)!.view;
      const served = o.served(name);
      return { instance: name, service: v.service, state: v.state, ...(v.registryId ? { registryId: v.registryId } : {}), restarts: v.restarts, ...(served ? { served } : {}) };
    }),
    leases,
    ...(status?.selfPreservation !== undefined ? { selfPreservation: status.selfPreservation } : {}),
    ...(locks ? { locks } : {}),
    ...(members.length ? { members: Object.fromEntries(members.map((m) => [m.name, m.status().leases.map((l) => l.serviceId).sort()])) } : {}),
  };
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

async function settle(o: Orchestrator, instances: string[], limitMs: number, signal: AbortSignal): Promise<boolean> {
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline && !signal.aborted) {
    const sample = takeSample(o, instances, 0);
    if (sample.instances.every((v) => v.state === 'ready' && v.registryId && sample.leases[v.registryId] === 'passing')) return true;
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
  }
  return false;
}

async function waitReady(o: Orchestrator, instance: string, signal: AbortSignal, limitMs = 10_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (o.supervisor(instance)?.view.state !== 'ready') {
    if (signal.aborted) throw signal.reason;
    if (performance.now() > deadline) throw new Error(`${instance} not ready again after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
  }
}

async function extraRollback(o: Orchestrator, action: string): Promise<void> {
  for (const v of o.snapshot().instances) {
    const s = o.supervisor(v.instance)!;
    if (action === 'start-all' && (v.state === 'stopped' || v.state === 'failed')) await s.start();
    if (action === 'resume-all' && v.state === 'paused') await s.resume();
  }
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
