/**
 * withWeight: a service record as it reads with selector weight `weight`, wherever a reader looks for it:
 * go-micro's metadata tag (`t-` tags, the kit / gateway / proxy), service Meta `weight` (Nacos's instance
 * weight, the Eureka face's metadata) and Consul's `Weights.Passing` (DNS SRV weights; at least 1, as Consul
 * requires). Other tags stay as they were, in their order; the metadata tags are re-encoded in go-micro's
 * `t-` style after them.
 */
import { decodeTags, encodeTags } from '../../services/kit/registry-encoding.ts';
import type { ServiceRecord } from './registry-types.ts';

type ServiceFields = Pick<ServiceRecord, 'tags' | 'meta' | 'weights'>;

export function withWeight<T extends ServiceFields>(service: T, weight: number): T {
  const value = String(weight);
  const isMetadataTag = (t: string) => t.length >= 2 && t[0] === 't' && (t[1] === '-' || t[1] === '=');
  const hasGoMicroTags = service.tags.some((t) => t.length >= 2 && 'tev'.includes(t[0]!) && (t[1] === '-' || t[1] === '='));
  let tags = service.tags;
  if (hasGoMicroTags) {
    const { metadata } = decodeTags(service.tags);
    const metadataTags = encodeTags({ ...metadata, weight: value }, [], '').filter(isMetadataTag);
    tags = [...service.tags.filter((t) => !isMetadataTag(t)), ...metadataTags];
  }
  return {
    ...service,
    tags,
    meta: { ...service.meta, weight: value },
    weights: { ...service.weights, Passing: Math.max(1, Math.round(weight)) },
  };
}
