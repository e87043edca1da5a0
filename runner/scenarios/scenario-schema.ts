/**
 * ScenarioSchema: the shape of a scenario file (`scenarios/*.yaml`) as a user writes it. Modelled on Chaos
 * Toolkit's experiment (steady-state hypothesis, method, rollbacks) with a timeline instead of a sequence:
 *
 *   topology (merged over micro.dev.yaml) -> load (for the whole run) -> steady_state before
 *     -> steps (at T: fault F on targets for D) -> steady_state after -> expect (verdicts) ; rollbacks always
 *
 * Every object is strict (typos get a did-you-mean); durations are `300ms`/`2s` or ms and come out in ms;
 * percentages are 0..100 (`99.9`). Nothing here touches the machine: see loadScenario.
 */
import { z } from 'zod';
import { GatewaySchema, RegistrySchema, ServiceSchema } from '../config/config-schema.ts';
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from '../config/parse-duration.ts';
import { FaultTargetSchema } from '../faults/fault-spec.ts';

const ms = z
  .union([z.number().nonnegative(), z.string().regex(new RegExp(DURATION_PATTERN), { error: DURATION_HINT })], {
    error: DURATION_HINT,
  })
  .transform((v) => parseDuration(v)!);
const percent = z.number().min(0).max(100).describe('percent, 0..100 (99.9 = 99.9 %)');
const id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { error: 'expected lower-case letters, digits, - or _' });

export const TopologyOverrideSchema = z
  .strictObject({
    registry: RegistrySchema.optional(),
    gateway: GatewaySchema.optional(),
    services: z.record(z.string(), ServiceSchema.partial()).optional().describe('merged per service over micro.dev.yaml'),
  })
  .describe('keys of micro.dev.yaml merged over the default topology (ports are always free ones)');

const OPEN_LOOP_CAP = 1024;

export const LoadSchema = z.strictObject({
  name: id.default('load'),
  through: z.enum(['gateway', 'static-proxy']).default('gateway').describe('static-proxy: needs static_proxy'),
  path: z.string().startsWith('/', { error: 'must start with /' }).default('/greeter/say/hello?name=John'),
  method: z.enum(['GET', 'POST']).default('GET'),
  body: z.unknown().optional().describe('POST: sent as JSON (e.g. /rpc {service, endpoint, request})'),
  rate: z.number().positive().max(2000).default(100).describe('requests per second'),
  concurrency: z
    .number()
    .int()
    .positive()
    .max(OPEN_LOOP_CAP)
    .optional()
    .describe(`requests in flight at most (default: rate x timeout, up to ${OPEN_LOOP_CAP}: every request still within its timeout)`),
  timeout: ms.default(2000).describe('per request'),
}).transform((l) => ({ ...l, concurrency: l.concurrency ?? openLoopConcurrency(l.rate, l.timeout) }));

/**
 * The default cap on a load's requests in flight: as many as can be waiting at once when every answer takes
 * the whole timeout (a cut replica's calls hang that long). A smaller cap fills up with hung calls and
 * skips the sends that would have gone to the healthy replicas, so availability would count only the hung
 * ones: the generator's limit, not the system's.
 */
export function openLoopConcurrency(rate: number, timeoutMs: number): number {
  return Math.min(OPEN_LOOP_CAP, Math.max(1, Math.ceil((rate * timeoutMs) / 1000)));
}

export const StaticProxySchema = z
  .strictObject({
    upstream: z.string().min(1).describe('service whose replicas form the fixed upstream list'),
    engine: z.enum(['auto', 'nginx', 'builtin']).default('auto').describe('auto: nginx when installed'),
  })
  .describe('one reverse proxy with a fixed upstream list (the pre-registry architecture)');

const window = ms.optional().describe('how long the hypothesis is measured (default 1s)');
export const SteadyStateSchema = z.strictObject({
  window,
  availability: percent.optional().describe('at least this share of requests succeed'),
  p99: ms.optional().describe('p99 latency at most'),
  passing: z
    .strictObject({ service: z.string().min(1), min: z.number().int().nonnegative() })
    .optional()
    .describe('at least min instances of service passing in the registry'),
});

const target = FaultTargetSchema.default({});
const stepBase = {
  id: id.optional().describe('name used by expect (default: step-N)'),
  at: ms.describe('when the fault starts, from the start of the load'),
  target,
  leader: z
    .string()
    .min(1)
    .optional()
    .describe('a KV lock key: the target is the instance holding it when the step starts (replaces target)'),
  duration: ms.optional().describe('how long it lasts before it is healed (kill: the window measured)'),
};

const members = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .default('leader')
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .describe('registry members (kind etcd): names (etcd-2), leader, or follower (two followers are two different ones); default leader');

/** The faults on the registry's own members, as the engine's registry-fault command names them. */
export const RegistryMemberFaults = { 'registry-partition': 'partition', 'registry-member-kill': 'kill', 'registry-member-slow': 'slow' } as const;

export const StepSchema = z.discriminatedUnion('fault', [
  z.strictObject({ fault: z.literal('kill'), ...stepBase }),
  z.strictObject({ fault: z.literal('stop'), ...stepBase }),
  z.strictObject({ fault: z.literal('pause'), ...stepBase }),
  z.strictObject({ fault: z.literal('partition'), ...stepBase }),
  z.strictObject({ fault: z.literal('heartbeat-loss'), ...stepBase }),
  z.strictObject({ fault: z.literal('latency'), ...stepBase, latency: ms, jitter: ms.default(0) }),
  z.strictObject({ fault: z.literal('registry-outage'), ...stepBase }),
  z.strictObject({ fault: z.literal('rolling-restart'), ...stepBase }),
  z.strictObject({ fault: z.literal('crash-loop'), ...stepBase }),
  z.strictObject({ fault: z.literal('slow-start'), ...stepBase }),
  z.strictObject({
    fault: z.literal('registry-partition'),
    ...stepBase,
    isolate: members.describe(
      'registry member(s) cut off from the others (etcd-2, eureka-3, [eureka-2, eureka-3]; leader / follower with etcd): a split of the registry itself; default leader',
    ),
    from: z
      .enum(['peers', 'clients', 'both'])
      .default('both')
      .describe('etcd: cut the members off their peers (a split: the isolated members on one side), their clients, or both; Eureka peers have peer links only'),
  }),
  z.strictObject({ fault: z.literal('registry-member-kill'), ...stepBase, members }),
  z.strictObject({ fault: z.literal('registry-member-slow'), ...stepBase, members, latency: ms.describe('added to everything the members receive and send') }),
  z.strictObject({
    fault: z.literal('canary'),
    ...stepBase,
    baseline: z.string().min(1).describe('the service running the version in production (greeter-srv); target: the new version\'s service'),
    stages: z
      .array(z.number().gt(0).max(100))
      .min(1)
      .default([10, 50, 100])
      .describe("the new version's share of the traffic, percent, stage by stage (rising)"),
    hold: ms.default(1000).describe('how long each stage runs before it is judged'),
    max_error_rate: percent.default(5).describe("a stage whose error rate at the new version's instances is above this rolls back"),
    min_requests: z.number().int().positive().default(10).describe('a stage that sent the new version fewer requests proves nothing: roll back'),
  }),
]);

const loadRef = { load: id.optional().describe('which load (default: the first)') };
const during = { during: id.describe('a step id; run = the whole run; before / after = the steady-state windows') };
const stepRef = { step: id.describe('a step id') };

export const ExpectationSchema = z.discriminatedUnion('metric', [
  z.strictObject({ metric: z.literal('availability'), ...loadRef, ...during, min: percent.optional(), max: percent.optional() }),
  z.strictObject({ metric: z.literal('failed_requests'), ...loadRef, ...during, max: z.number().int().nonnegative() }),
  z.strictObject({ metric: z.literal('p99'), ...loadRef, ...during, min: ms.optional().describe('proves the fault bit'), max: ms.optional() }),
  z.strictObject({ metric: z.literal('time_to_detect'), ...stepRef, max: ms.describe('every target left the passing set') }),
  z.strictObject({ metric: z.literal('time_to_recover'), ...stepRef, max: ms.describe('from heal until every target is ready and passing') }),
  z.strictObject({ metric: z.literal('evicted'), ...stepRef, max: ms.describe('every target deregistered / evicted within') }),
  z.strictObject({ metric: z.literal('not_evicted'), ...stepRef }),
  z.strictObject({
    metric: z.literal('passing'),
    ...during,
    service: z.string().min(1),
    min: z.number().int().nonnegative().optional().describe('fewest passing at any moment of the window'),
    max: z.number().int().nonnegative().optional().describe('most passing at the end of the window'),
  }),
  z.strictObject({ metric: z.literal('self_preservation'), ...during, engaged: z.boolean() }),
  z.strictObject({
    metric: z.literal('canary'),
    ...stepRef,
    outcome: z.enum(['promoted', 'rolled_back']).describe('what the canary step decided (and the recorded traffic agrees with)'),
  }),
  z.strictObject({
    metric: z.literal('canary_error_rate'),
    ...stepRef,
    max: percent.optional().describe("every judged stage's error rate at the new version at most"),
    min: percent.optional().describe('the last judged stage (the one that rolled back) at least'),
  }),
  z.strictObject({
    metric: z.literal('traffic_share'),
    ...during,
    service: z.string().min(1),
    versus: z.string().min(1).describe('the other service sharing its registry name (the old version)'),
    min: percent.optional(),
    max: percent.optional(),
  }),
  z.strictObject({ metric: z.literal('restarts'), ...stepRef, min: z.number().int().nonnegative() }),
  z.strictObject({
    metric: z.literal('views_diverged'),
    ...during,
    min: z.number().int().nonnegative().describe('registrations one member lists and another does not, at the most diverged moment'),
  }),
  z.strictObject({ metric: z.literal('time_to_converge'), ...stepRef, max: ms.describe('from the heal until every registry member lists the same registrations') }),
  z.strictObject({
    metric: z.literal('registrations_accepted'),
    ...during,
    member: z.string().min(1).describe('a registry member (eureka-1, ...)'),
    min: z.number().int().nonnegative().describe('new registrations the member listed during the window'),
  }),
  z.strictObject({
    metric: z.literal('time_listed'),
    ...stepRef,
    member: z.string().min(1).describe('a registry member (eureka-1, ...)'),
    min: ms.optional(),
    max: ms.optional().describe("from the fault until the member no longer lists any target's registration"),
  }),
  z.strictObject({
    metric: z.literal('registry_writes'),
    ...stepRef,
    side: z.enum(['isolated', 'others']).describe("isolated: the step's registry members; others: the rest"),
    min: percent.optional(),
    max: percent.optional(),
  }).describe('etcd: share of probe writes (one per member every 200 ms, through its client link) that side acknowledged during the step'),
  z.strictObject({
    metric: z.literal('time_to_writable'),
    ...stepRef,
    side: z.enum(['isolated', 'others']),
    from: z.enum(['fault', 'heal']).default('fault'),
    max: ms.describe('from the fault (or the heal) until a probe write through that side is acknowledged'),
  }),
  z.strictObject({
    metric: z.literal('registry_leaders'),
    ...during,
    max: z.number().int().nonnegative().describe('most etcd members claiming to lead in one raft term at any sample (1: no split brain)'),
  }),
  z.strictObject({
    metric: z.literal('log_lines'),
    ...during,
    pattern: z.string().min(1).describe('a regular expression'),
    instance: z.string().min(1).optional().describe('only instances whose name starts with this (greeter-srv)'),
    min: z.number().int().nonnegative().optional(),
    max: z.number().int().nonnegative().optional(),
  }),
  z.strictObject({
    metric: z.literal('leaders'),
    ...during,
    key: z.string().min(1).describe('the KV lock key of the election'),
    max: z.number().int().nonnegative().optional().describe('most instances believing they lead at any one moment (1: no split brain)'),
    min: z.number().int().nonnegative().optional().describe('leaders at the end of the window'),
  }),
  z.strictObject({
    metric: z.literal('time_to_new_leader'),
    ...stepRef,
    key: z.string().min(1),
    max: ms.describe('from the fault until an instance other than the targets believes it leads'),
  }),
  z.strictObject({
    metric: z.literal('time_to_step_down'),
    ...stepRef,
    key: z.string().min(1),
    max: ms.describe('from the fault until no target believes it leads any more'),
  }),
]);

export const RollbackSchema = z.strictObject({
  action: z.enum(['heal', 'start-all', 'resume-all']).describe('heal: remove every fault this run added'),
});

export const ScenarioSchema = z.strictObject({
  name: id.optional().describe('default: the file name'),
  description: z.string().optional(),
  seed: z.number().int().nonnegative().max(0xffffffff).default(1).describe('every random choice; --seed overrides'),
  topology: TopologyOverrideSchema.optional(),
  static_proxy: StaticProxySchema.optional(),
  load: z.union([LoadSchema, z.array(LoadSchema).min(1)]).optional().describe('one load or a list of named loads'),
  steady_state: SteadyStateSchema.optional(),
  steps: z.array(StepSchema).default([]),
  settle: ms.default(10_000).describe('after the last step: wait at most this long for every instance ready+passing'),
  expect: z.array(ExpectationSchema).default([]),
  rollbacks: z.array(RollbackSchema).default([{ action: 'heal' }]).describe('run always, even when the hypothesis deviated'),
});

export type RawScenario = z.output<typeof ScenarioSchema>;
export type LoadSpec = z.output<typeof LoadSchema>;
export type StepSpec = z.output<typeof StepSchema> & { id: string };
export type Expectation = z.output<typeof ExpectationSchema>;
export type SteadyState = z.output<typeof SteadyStateSchema>;
export type StaticProxySpec = z.output<typeof StaticProxySchema>;
export type FaultName = StepSpec['fault'];
