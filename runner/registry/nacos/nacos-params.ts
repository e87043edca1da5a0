/**
 * Nacos naming v1 request parameters (reference/registry-wire.md §2.1-§2.2): query string and form body
 * alike, `serviceName` as `group@@service` or plain with `groupName`, `enabled` falling back to `enable`,
 * `clusterName` to `cluster` to DEFAULT, metadata as JSON or `k=v,k2=v2`, weight in [0, 10000]. Errors are
 * NacosError with Nacos's texts (`Param 'ip' is required.`).
 */
import { NACOS_DEFAULT_GROUP, NACOS_DEFAULT_NAMESPACE, type NacosServiceName } from '../faces/face-names.ts';

export class NacosError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

export const DEFAULT_CLUSTER = 'DEFAULT';

export interface NacosInstanceInput extends NacosServiceName {
  ip: string;
  port: number;
  cluster: string;
  weight: number;
  enabled: boolean;
  healthy: boolean;
  ephemeral: boolean;
  metadata: Record<string, string>;
}

export class NacosParams {
  readonly #p: URLSearchParams;
  constructor(params: URLSearchParams) {
    this.#p = params;
  }

  get(key: string): string | undefined {
    const v = this.#p.get(key);
    return v === null ? undefined : v;
  }

  required(key: string): string {
    const v = this.get(key);
    if (v === undefined || v.trim() === '') throw new NacosError(400, `Param '${key}' is required.`);
    return v;
  }

  bool(key: string, dflt: boolean, alias?: string): boolean {
    const v = this.get(key) ?? (alias ? this.get(alias) : undefined);
    if (v === undefined || v === '') return dflt;
    // Boolean.parseBoolean: only "true" (any case) is true.
    return v.toLowerCase() === 'true';
  }

  int(key: string, dflt?: number): number {
    const v = this.get(key);
    if (v === undefined || v === '') {
      if (dflt === undefined) throw new NacosError(400, `Param '${key}' is required.`);
      return dflt;
    }
    if (!/^-?\d+$/.test(v.trim())) throw new NacosError(400, `Param '${key}' must be an integer, got ${JSON.stringify(v)}`);
    return Number(v.trim());
  }

  /** ServiceNameFilter + the namespace: `G@@S` wins; else groupName (default DEFAULT_GROUP) and serviceName. */
  service(): NacosServiceName {
    const raw = this.required('serviceName');
    const namespace = this.get('namespaceId') || NACOS_DEFAULT_NAMESPACE;
    const at = raw.indexOf('@@');
    if (at >= 0) {
      const group = raw.slice(0, at);
      const service = raw.slice(at + 2);
      if (!group || !service || service.includes('@@')) throw new NacosError(400, `Param 'serviceName' is illegal, illegal characters should not appear in the param. serviceName: ${raw}`);
      return { namespace, group, service };
    }
    return { namespace, group: this.get('groupName') || NACOS_DEFAULT_GROUP, service: raw };
  }

  cluster(): string {
    return this.get('clusterName') || this.get('cluster') || DEFAULT_CLUSTER;
  }

  /** HttpRequestInstanceBuilder: ip, port, weight, enabled, healthy, ephemeral, metadata, cluster. */
  instance(): NacosInstanceInput {
    const name = this.service();
    const ip = this.required('ip');
    const port = this.int('port');
    if (port < 0 || port > 65535) throw new NacosError(400, `instance format invalid: Param 'port' must be in 0..65535, got ${port}`);
    const weight = this.weight();
    return {
      ...name,
      ip,
      port,
      cluster: this.cluster(),
      weight,
      enabled: this.bool('enabled', true, 'enable'),
      healthy: this.bool('healthy', true),
      ephemeral: this.bool('ephemeral', true),
      metadata: parseMetadata(this.get('metadata')),
    };
  }

  weight(dflt = 1): number {
    const v = this.get('weight');
    if (v === undefined || v === '') return dflt;
    const w = Number(v);
    if (!Number.isFinite(w) || w < 0 || w > 10000) throw new NacosError(400, 'instance format invalid: The weights range from 0.0 to 10000.0');
    return w;
  }
}

/** UtilsAndCommons.parseMetadata: a JSON object, else `k=v,k2=v2`; values become strings. */
export function parseMetadata(text: string | undefined): Record<string, string> {
  if (text === undefined || text.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const out: Record<string, string> = {};
      for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = typeof val === 'string' ? val : JSON.stringify(val);
      return out;
    }
  } catch {
    // not JSON: the k=v form
  }
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new NacosError(400, `metadata format incorrect: ${text}`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** The beat JSON of nacos-naming / Java 1.x (`cluster`, not `clusterName`); unknown fields ignored. */
export interface BeatInfo {
  ip: string;
  port: number;
  cluster: string;
  weight: number;
  metadata: Record<string, string>;
  ephemeral: boolean;
}

export function parseBeat(text: string): BeatInfo {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new NacosError(400, `Param 'beat' is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new NacosError(400, "Param 'beat' must be a JSON object");
  const b = v as Record<string, unknown>;
  const ip = typeof b.ip === 'string' ? b.ip : '';
  if (!ip) throw new NacosError(400, "Param 'beat' has no 'ip'");
  const port = Number(b.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new NacosError(400, "Param 'beat' has no valid 'port'");
  const weight = b.weight === undefined ? 1 : Number(b.weight);
  if (!Number.isFinite(weight) || weight < 0 || weight > 10000) throw new NacosError(400, 'instance format invalid: The weights range from 0.0 to 10000.0');
  const metadata: Record<string, string> = {};
  if (typeof b.metadata === 'object' && b.metadata !== null) {
    for (const [k, val] of Object.entries(b.metadata as Record<string, unknown>)) metadata[k] = typeof val === 'string' ? val : JSON.stringify(val);
  }
  const cluster = typeof b.cluster === 'string' && b.cluster ? b.cluster : typeof b.clusterName === 'string' && b.clusterName ? b.clusterName : DEFAULT_CLUSTER;
  return { ip, port, cluster, weight, metadata, ephemeral: b.ephemeral !== false };
}
