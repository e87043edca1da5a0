/**
 * The closed set of toxic types a link understands, and the one place a ToxicSpec is checked and filled
 * with defaults (Toxiproxy's: stream downstream, toxicity 1, name `<type>_<stream>`, attributes zeroed).
 *
 *   ToxicSpec (API / scenario) --normalizeToxic--> ToxicView (every field set) --> Link chains
 */
import type { BandwidthAttributes } from './toxics/bandwidth.ts';
import type { LatencyAttributes } from './toxics/latency.ts';
import type { LimitDataAttributes } from './toxics/limit-data.ts';
import type { ResetPeerAttributes } from './toxics/reset-peer.ts';
import type { SlicerAttributes } from './toxics/slicer.ts';
import type { SlowCloseAttributes } from './toxics/slow-close.ts';
import type { TimeoutAttributes } from './toxics/timeout.ts';
import type { Stream, ToxicDefinition } from './toxic.ts';
import { bandwidth } from './toxics/bandwidth.ts';
import { down } from './toxics/down.ts';
import { latency } from './toxics/latency.ts';
import { limitData } from './toxics/limit-data.ts';
import { resetPeer } from './toxics/reset-peer.ts';
import { slicer } from './toxics/slicer.ts';
import { slowClose } from './toxics/slow-close.ts';
import { timeout } from './toxics/timeout.ts';

export const toxicCatalogue = {
  latency,
  down,
  reset_peer: resetPeer,
  timeout,
  bandwidth,
  slow_close: slowClose,
  slicer,
  limit_data: limitData,
} as const;

export type ToxicType = keyof typeof toxicCatalogue;

interface Common {
  /** Unique per link; default `<type>_<stream>`. */
  name?: string;
  /** Default downstream (server -> client). */
  stream?: Stream;
  /** Probability the toxic applies: per HTTP/1.x request when detectable, else per connection. Default 1. */
  toxicity?: number;
}

/** What callers hand to FaultPlane.addToxic (and the admin API's POST body). */
export type ToxicSpec = Common &
  (
    | { type: 'latency'; attributes?: Partial<LatencyAttributes> }
    | { type: 'down'; attributes?: Record<string, never> }
    | { type: 'reset_peer'; attributes?: Partial<ResetPeerAttributes> }
    | { type: 'timeout'; attributes?: Partial<TimeoutAttributes> }
    | { type: 'bandwidth'; attributes?: Partial<BandwidthAttributes> }
    | { type: 'slow_close'; attributes?: Partial<SlowCloseAttributes> }
    | { type: 'slicer'; attributes?: Partial<SlicerAttributes> }
    | { type: 'limit_data'; attributes?: Partial<LimitDataAttributes> }
  );

/** A toxic as it sits on a link: every field filled. Same fields and order as Toxiproxy's JSON. */
export interface ToxicView {
  attributes: Record<string, number>;
  name: string;
  type: ToxicType;
  stream: Stream;
  toxicity: number;
  /** Plane clock time at which the toxic removes itself; absent = stays until removed. */
  expiresAt?: number;
}

/** Why a spec was rejected; `field` lets the admin API pick Toxiproxy's error. */
export class ToxicSpecError extends Error {
  readonly field: 'type' | 'stream' | 'attributes' | 'toxicity';
  constructor(field: ToxicSpecError['field'], message: string) {
    super(message);
    this.name = 'ToxicSpecError';
    this.field = field;
  }
}

export function isToxicType(type: unknown): type is ToxicType {
  return typeof type === 'string' && Object.hasOwn(toxicCatalogue, type);
}

export function toxicDefinition(type: ToxicType): ToxicDefinition<Record<string, number>> {
  return toxicCatalogue[type] as unknown as ToxicDefinition<Record<string, number>>;
}

/** Fills defaults and checks every field; throws ToxicSpecError naming the field and its limit. */
export function normalizeToxic(spec: { type?: unknown; name?: unknown; stream?: unknown; toxicity?: unknown; attributes?: unknown }): ToxicView {
  const stream = spec.stream ?? 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream') {
    throw new ToxicSpecError('stream', `stream ${JSON.stringify(stream)} is invalid, can be either upstream or downstream`);
  }
  if (!isToxicType(spec.type)) {
    throw new ToxicSpecError('type', `toxic type ${JSON.stringify(spec.type)} is invalid, known types: ${Object.keys(toxicCatalogue).join(', ')}`);
  }
  const toxicity = spec.toxicity ?? 1;
  if (typeof toxicity !== 'number' || !(toxicity >= 0 && toxicity <= 1)) {
    throw new ToxicSpecError('toxicity', `toxicity ${JSON.stringify(toxicity)} must be a number between 0 and 1`);
  }
  const given = spec.attributes ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new ToxicSpecError('attributes', `attributes of ${spec.type} must be an object`);
  }
  const attributes: Record<string, number> = { ...toxicDefinition(spec.type).defaults };
  for (const [key, value] of Object.entries(given)) {
    // Toxiproxy ignores unknown attribute names (Go's json decoder), so do we.
    if (!(key in attributes)) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ToxicSpecError('attributes', `attribute ${key} of ${spec.type} must be a number >= 0, got ${JSON.stringify(value)}`);
    }
    attributes[key] = value;
  }
  const name = spec.name === undefined || spec.name === '' ? `${spec.type}_${stream}` : spec.name;
  if (typeof name !== 'string') throw new ToxicSpecError('attributes', `toxic name must be a string`);
  return { attributes, name, type: spec.type, stream, toxicity };
}
