/**
 * Timeline: everything a scenario run observed, as plain data, times in ms from the start of the load.
 * The runner records it; the verdict (evaluateExpectation) is a pure function of it, so verdict math is
 * tested on hand-written timelines and a JSON report can be re-judged later.
 *
 *   load generator --RequestRecord--> requests
 *   registry + engine (polled every ~25 ms) --RegistrySample--> samples
 *   steps (applied / healed) --StepRecord--> steps
 *   instance log lines `leader <key>: elected|stepped down` (the kit's LeaderElection) --LeaderRecord--> leadership
 */
import type { InstanceState } from '../engine/api.ts';

export interface RequestRecord {
  load: string;
  /** When the request was sent. */
  at: number;
  ms: number;
  ok: boolean;
  status: number;
  error?: string;
}

export type LeaseState = 'passing' | 'warning' | 'critical';

export interface InstanceSample {
  instance: string;
  service: string;
  state: InstanceState;
  /** The instance's current registration (changes on each restart). */
  registryId?: string;
  restarts: number;
  /** Requests (and failed ones) its inbound link counted since the start (absent in older reports). */
  served?: { requests: number; errors: number };
}

export interface RegistrySample {
  at: number;
  instances: InstanceSample[];
  /** Every lease the registry holds, by service id; a missing id is deregistered / evicted. */
  leases: Record<string, LeaseState>;
  selfPreservation?: boolean;
  /** KV lock key -> the holding session's name (the registry's view of who leads). */
  locks?: Record<string, string>;
  /** With registry members (registry.peers, etcd): the registrations each member lists, by member name. */
  members?: Record<string, string[]>;
  /** etcd: each member's role and raft term as it reports it (a member that does not answer is `down`). */
  roles?: Record<string, { role: string; term?: number }>;
}

/** One probe write through one registry member's client link (registry-probe.ts). */
export interface RegistryWrite {
  /** When it was sent. */
  at: number;
  member: string;
  /** Acknowledged (committed by a quorum) within the deadline. */
  ok: boolean;
  ms: number;
}

/** An instance's output line kept for a `log_lines` expectation. */
export interface LogRecord {
  at: number;
  instance: string;
  line: string;
}

export interface StepRecord {
  id: string;
  fault: string;
  targets: string[];
  /** Registry id of each target when the fault started (same order as targets). */
  targetIds: (string | undefined)[];
  /** Restart count of each target when the fault started (same order as targets). */
  restartsAtStart?: number[];
  startAt: number;
  /** When its heal began. A heal can take a while (killed etcd members start one by one, and two of three
   * are a quorum again before the second is up): what a side accepted before the heal counts until here. */
  healAt?: number;
  /** When it was healed (or, for kill, the end of the measured window). */
  endAt: number;
  error?: string;
  /** A canary step: its stages as judged at the time, and what it decided. */
  canary?: CanaryRecord;
}

/** One stage of a canary: the new version's share, its window and what its instances served in it. */
export interface CanaryStage {
  /** The new version's share of the traffic, percent. */
  share: number;
  from: number;
  to: number;
  requests: number;
  errors: number;
  /** errors / requests in percent; NaN (null in JSON) when nothing reached it: no evidence, not ok. */
  errorRate: number;
  ok: boolean;
}

export interface CanaryRecord {
  /** The registry name both versions register, and their versions. */
  service: string;
  newVersion: string;
  oldVersion: string;
  baseline: string;
  maxErrorRate: number;
  minRequests: number;
  /** The shares the step was to go through; `stages` has those it reached. */
  plannedShares: number[];
  stages: CanaryStage[];
  outcome: 'promoted' | 'rolled_back';
  /** From the decision to the last call the losing side finished; `drained`: it then stood still. */
  drainedMs?: number;
  drained?: boolean;
}

/** An instance's own belief about leading `key`, as it logged it (what matters for split brain). */
export interface LeaderRecord {
  at: number;
  instance: string;
  key: string;
  leader: boolean;
}

export interface Timeline {
  requests: RequestRecord[];
  /** Leadership beliefs in the order they were logged (absent in older reports). */
  leadership?: LeaderRecord[];
  samples: RegistrySample[];
  /** etcd: probe writes through each member (absent otherwise). */
  registryWrites?: RegistryWrite[];
  /** Instance output lines matching a `log_lines` expectation's pattern. */
  logs?: LogRecord[];
  steps: StepRecord[];
  /** When the load stopped. */
  endAt: number;
  /** Steady-state windows [from, to). */
  before?: [number, number];
  after?: [number, number];
}
