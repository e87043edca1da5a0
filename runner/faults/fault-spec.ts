/**
 * FaultSpec: the catalogue of faults a scenario aims at the service graph, as a zod schema (input: what a
 * scenario file says, durations as `5s` or ms) and its output type (every duration in ms).
 *
 *   scenario YAML --FaultSpecSchema.parse--> FaultSpec --selectTargets(instances, target, rng)--> instances
 *        network kinds --faultToxics--> ToxicSpec per direction --> FaultPlane.addToxic on each instance's link
 *        process kinds (kill, pause, crash-loop, slow-start) --> the runtime;  registry kinds --> registry link/registry
 *
 * `link` picks which of an instance's links a network fault hits: its egress through the proxy (`proxy`),
 * its registry traffic (`registry`), or both. `duration` absent = until the scenario heals it.
 */
import { z } from 'zod';
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from '../config/parse-duration.ts';

const ms = z
  .union([z.number().nonnegative(), z.string().regex(new RegExp(DURATION_PATTERN), { error: DURATION_HINT })], {
    error: DURATION_HINT,
  })
  .transform((v) => parseDuration(v)!);

export const FaultTargetSchema = z
  .strictObject({
    service: z.string().min(1).optional().describe('service name as in micro.dev.yaml (greeter-srv)'),
    instance: z.string().min(1).optional().describe('one instance (greeter-srv-2)'),
    tier: z.enum(['web', 'api', 'srv', 'other']).optional(),
    percent: z.number().gt(0).max(100).optional().describe('share of the matching instances, rounded up'),
    count: z.number().int().positive().optional().describe('this many of the matching instances'),
  })
  .refine((t) => t.percent === undefined || t.count === undefined, { error: 'give percent or count, not both' });

export type FaultTarget = z.output<typeof FaultTargetSchema>;

const base = {
  target: FaultTargetSchema.default({}),
  duration: ms.optional().describe('how long the fault lasts; absent = until healed'),
};
const network = {
  ...base,
  direction: z.enum(['upstream', 'downstream', 'both']).optional().describe('upstream = requests out of the instance'),
  toxicity: z.number().min(0).max(1).optional().describe('probability per HTTP/1.x request (else per connection)'),
  link: z.enum(['proxy', 'registry', 'all']).default('proxy'),
};

export const FaultSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('latency'), ...network, latency: ms, jitter: ms.default(0) }),
  z.strictObject({ kind: z.literal('partition'), ...network }),
  z.strictObject({ kind: z.literal('reset'), ...network, timeout: ms.default(0) }),
  z.strictObject({ kind: z.literal('bandwidth'), ...network, rate: z.number().nonnegative().describe('KB/s per connection') }),
  z.strictObject({ kind: z.literal('timeout'), ...network, timeout: ms.default(0).describe('0 = hold data forever') }),
  z.strictObject({
    kind: z.literal('slicer'),
    ...network,
    averageSize: z.number().int().positive(),
    sizeVariation: z.number().int().nonnegative().default(0),
    delayUs: z.number().nonnegative().default(0),
  }),
  z.strictObject({ kind: z.literal('limit_data'), ...network, bytes: z.number().int().nonnegative() }),
  z.strictObject({ kind: z.literal('slow_close'), ...network, delay: ms }),
  z.strictObject({ kind: z.literal('kill'), ...base, signal: z.enum(['SIGKILL', 'SIGTERM']).default('SIGKILL') }),
  z.strictObject({ kind: z.literal('pause'), ...base }),
  z.strictObject({
    kind: z.literal('crash-loop'),
    ...base,
    interval: ms.default(1000).describe('kill again this long after each restart'),
  }),
  z.strictObject({ kind: z.literal('heartbeat-loss'), ...base }),
  z.strictObject({ kind: z.literal('registry-outage'), ...base }),
  z.strictObject({ kind: z.literal('slow-start'), ...base, delay: ms.describe('extra time before an instance starts serving') }),
]);

export type FaultSpecInput = z.input<typeof FaultSpecSchema>;
export type FaultSpec = z.output<typeof FaultSpecSchema>;
export type FaultKind = FaultSpec['kind'];

export const NetworkFaultKinds = [
  'latency',
  'partition',
  'reset',
  'bandwidth',
  'timeout',
  'slicer',
  'limit_data',
  'slow_close',
] as const satisfies readonly FaultKind[];

export type NetworkFaultSpec = Extract<FaultSpec, { kind: (typeof NetworkFaultKinds)[number] }>;

export function isNetworkFault(spec: FaultSpec): spec is NetworkFaultSpec {
  return (NetworkFaultKinds as readonly string[]).includes(spec.kind);
}
