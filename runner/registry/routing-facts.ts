/**
 * RoutingFacts: what a selector sees of an instance (its face, go-micro version and weight) for the status
 * (`status --json`, the dashboard), read from the catalog record: the face from Meta `micro-dev-face`, the
 * version from the `v-` tag (or Meta `version`), the weight from Meta `weight` (or the `t-` metadata tag).
 * Tags are zlib-encoded, so the answer is kept per record version (id + modifyIndex): a status poll every
 * 25 ms decodes each instance once per change, not once per poll. Replicas of a service register the same
 * tags, so a new record is decoded only when its face, tags or weight are new: a thousand replicas (and
 * each one's re-registration after a restart) cost one decode, not one each (issue 13).
 */
import { decodeTags } from '../../services/kit/registry-encoding.ts';
import { FACE_META_KEY, type ServiceRecord } from './registry-types.ts';

export interface RoutingFact {
  face: 'consul' | 'eureka' | 'nacos';
  version: string;
  weight?: number;
}

export class RoutingFacts {
  readonly #memo = new Map<string, { modifyIndex: number; fact: RoutingFact }>();
  /** By what the fact is read from (face, version and weight meta, tags). */
  readonly #byContent = new Map<string, RoutingFact>();

  of(s: ServiceRecord): RoutingFact {
    const hit = this.#memo.get(s.id);
    if (hit && hit.modifyIndex === s.modifyIndex) return hit.fact;
    const content = `${s.meta[FACE_META_KEY] ?? ''}\n${s.meta.version ?? ''}\n${s.meta.weight ?? ''}\n${s.tags.join('\n')}`;
    let fact = this.#byContent.get(content);
    if (!fact) {
      fact = routingFact(s);
      this.#byContent.set(content, fact);
      if (this.#byContent.size > 1024) this.#byContent.delete(this.#byContent.keys().next().value!);
    }
    this.#memo.set(s.id, { modifyIndex: s.modifyIndex, fact });
    if (this.#memo.size > 4096) this.#memo.delete(this.#memo.keys().next().value!);
    return fact;
  }
}

export function routingFact(s: Pick<ServiceRecord, 'meta' | 'tags'>): RoutingFact {
  const face = s.meta[FACE_META_KEY];
  const decoded = decodeTags(s.tags);
  const rawWeight = s.meta.weight ?? decoded.metadata.weight;
  const weight = rawWeight === undefined || rawWeight === '' ? NaN : Number(rawWeight);
  return {
    face: face === 'eureka' || face === 'nacos' ? face : 'consul',
    version: decoded.version || s.meta.version || '',
    ...(Number.isFinite(weight) && weight >= 0 ? { weight } : {}),
  };
}
