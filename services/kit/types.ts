/**
 * The registry data model of go-micro v1 (`registry.Service`/`Node`/`Endpoint`/`Value`), as the kit and its
 * users (gateway, proxy, runtimes) see it. Addresses are always `host:port`.
 */

/** A request/response shape as go-micro's extractor describes it (fields by json-tag name, depth <= 3). */
export interface Value {
  name: string;
  type: string;
  values?: Value[] | null;
}

export interface Endpoint {
  /** `Handler.Method`, e.g. `Say.Hello`. */
  name: string;
  request?: Value;
  response?: Value;
  /** API endpoint metadata (`handler`, `path`, `method`, ...) or anything else; always present. */
  metadata: Record<string, string>;
}

export interface RegistryNode {
  /** `<service name>-<uuid>` for go-micro services. */
  id: string;
  /** `host:port` to dial. */
  address: string;
  metadata: Record<string, string>;
}

/** One service at one version; a registry lookup returns one per version seen. */
export interface ServiceInfo {
  name: string;
  version: string;
  metadata: Record<string, string>;
  endpoints: Endpoint[];
  nodes: RegistryNode[];
}
