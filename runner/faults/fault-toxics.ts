/**
 * faultToxics: turns a network FaultSpec into the toxics to add on one link, one per direction, named
 * `<prefix>:<kind>:<stream>` so a scenario can remove exactly what it added.
 *
 *   {kind: partition, direction: both}  -->  down on upstream + down on downstream
 *   {kind: latency, latency: 200}       -->  latency{latency: 200, jitter: 0} on downstream
 *
 * Default direction: both for partition, downstream (server -> client, Toxiproxy's default) otherwise.
 */
import type { NetworkFaultSpec } from './fault-spec.ts';
import type { ToxicSpec } from './toxic-catalogue.ts';
import type { Stream } from './toxic.ts';

export function faultToxics(spec: NetworkFaultSpec, prefix: string): (ToxicSpec & { durationMs?: number })[] {
  const direction = spec.direction ?? (spec.kind === 'partition' ? 'both' : 'downstream');
  const streams: Stream[] = direction === 'both' ? ['upstream', 'downstream'] : [direction];
  return streams.map((stream) => ({
    ...toxicOf(spec),
    name: `${prefix}:${spec.kind}:${stream}`,
    stream,
    toxicity: spec.toxicity ?? 1,
    ...(spec.duration === undefined ? {} : { durationMs: spec.duration }),
  }));
}

function toxicOf(spec: NetworkFaultSpec): ToxicSpec {
  switch (spec.kind) {
    case 'latency':
      return { type: 'latency', attributes: { latency: spec.latency, jitter: spec.jitter } };
    case 'partition':
      return { type: 'down' };
    case 'reset':
      return { type: 'reset_peer', attributes: { timeout: spec.timeout } };
    case 'bandwidth':
      return { type: 'bandwidth', attributes: { rate: spec.rate } };
    case 'timeout':
      return { type: 'timeout', attributes: { timeout: spec.timeout } };
    case 'slicer':
      return {
        type: 'slicer',
        attributes: { average_size: spec.averageSize, size_variation: spec.sizeVariation, delay: spec.delayUs },
      };
    case 'limit_data':
      return { type: 'limit_data', attributes: { bytes: spec.bytes } };
    case 'slow_close':
      return { type: 'slow_close', attributes: { delay: spec.delay } };
  }
}
