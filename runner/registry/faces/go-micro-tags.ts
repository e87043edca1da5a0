/**
 * go-micro's Consul tags for an instance that came through the Eureka or Nacos face, so go-micro readers of
 * the catalog (the kit, the gateway, the proxy) see its version, endpoints and metadata: metadata `version`
 * becomes the `v-` tag, metadata `endpoints` (go-plugins' JSON list) the `e-` tags, the rest `t-` tags.
 */
import { parseEndpoints } from '../../../services/kit/eureka-registry-client.ts';
import { encodeTags } from '../../../services/kit/registry-encoding.ts';

export function goMicroTags(metadata: Record<string, string>): string[] {
  const { version = '', endpoints, ...rest } = metadata;
  return encodeTags(rest, parseEndpoints(endpoints), version);
}
