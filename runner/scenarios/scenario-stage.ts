/**
 * ScenarioStage: where a scenario's timeline runs. runScenario drives the load, the steps and the verdict;
 * the stage is the system under test and what can be seen of it:
 *
 *   local-stage.ts   a topology of its own, started for the run (the engine: every fault, every observation)
 *   up-stage.ts      a running `micro-dev up` (OrchestratorApi over its control API + its fault plane)
 *   docker-stage.ts  containers of `export compose` (docker kill / pause / network disconnect; load only)
 *   watch-stage.ts   any gateway (staging): no faults, load only; or Chaos Mesh applying the exported Workflow
 *
 * What a stage cannot observe makes the expectations that need it unjudged, never passed (judge-observable.ts).
 */
import type { OrchestratorApi } from '../engine/api.ts';
import type { TargetableInstance } from '../faults/select-targets.ts';
import type { Heal } from './apply-fault.ts';
import type { FrontProxy } from './front-proxy.ts';
import type { StepSpec } from './scenario-schema.ts';
import type { RegistrySample, RegistryWrite, StepRecord } from './timeline.ts';

/**
 * `everything`: registry leases, instance states and restarts, leadership log lines, each registry member's
 * own list (the verdict is complete); `all but members`: the same without the members' lists (a running up);
 * `load`: only what micro-dev's own load sees through the gateway.
 */
export type StageObservations = 'everything' | 'all but members' | 'load';

/** What a step's fault may use of the run: its abort signal, its record, the run's clock and voice. */
export interface StepContext {
  signal: AbortSignal;
  record: StepRecord;
  /** ms since the load started. */
  now(): number;
  /** Rejects when the run aborts. */
  sleep(ms: number): Promise<void>;
  say(line: string): void;
}

export interface ScenarioStage {
  /** One line: what the scenario runs against (`its own topology`, `micro-dev up at http://...`). */
  readonly description: string;
  readonly gatewayUrl: string;
  readonly staticProxy?: FrontProxy;
  readonly observes: StageObservations;
  /** Where the traces of the run's requests are read (the stage's engine with tracing on), if anywhere. */
  readonly traces?: Pick<OrchestratorApi, 'traces' | 'trace'>;
  /** What steps may target (names stable across restarts). */
  candidates(): TargetableInstance[];
  /** Why this stage cannot put the step's fault in place (the step is then not applied), or undefined. */
  cannotApply(step: StepSpec): string | undefined;
  /** The instance holding a KV lock now ([] when none or not observable). */
  lockHolder(key: string): string[];
  /** Registry id and restart count of an instance now, when observable. */
  instanceFacts(instance: string): { registryId?: string; restarts?: number };
  /**
   * Puts the fault in place; resolves once it is (the returned heal takes it off). A registry member fault
   * has no instance targets: the stage writes the members it hit (leader / follower resolved) into
   * ctx.record.targets; a canary writes its decision into ctx.record.canary.
   */
  applyFault(step: StepSpec, targets: readonly string[], ctx: StepContext): Promise<Heal>;
  /** The registry and instances now (cheap, synchronous: remote stages poll in the background). */
  sample(at: number): RegistrySample;
  /** Waits until every instance is ready and passing; false at the limit. Only for `everything` stages. */
  settle(limitMs: number, signal: AbortSignal): Promise<boolean>;
  /** Probe writes through each registry member (etcd), ms since the load started; stops the probe. */
  registryWrites?(): RegistryWrite[];
  /** `start-all` / `resume-all` rollbacks. */
  rollback(action: 'start-all' | 'resume-all'): Promise<void>;
  /**
   * Every output line of every instance (leadership beliefs), with when it was seen (performance.now()).
   * A local stage first replays the lines its topology printed while it started.
   */
  onLogLine(listener: (instance: string, line: string, at: number) => void): () => void;
  /** Stops what the stage started for the run (a local topology), or lets go of what it attached to. */
  close(): Promise<void>;
}
