import type { LeaseSemantics } from '../config/topology.ts';
import { badRequest } from './consul-http-error.ts';
import { decodeStruct, parseJsonBody, type Decoded, type StructSchema } from './strict-json.ts';
import type { CheckDefinition, CheckStatus, CheckType, ServiceDefinition, TaggedAddress } from './registry-types.ts';
import { CheckStatuses } from './registry-types.ts';

export const CHECK_TYPE: StructSchema = {
  name: 'CheckType',
  fields: {
    CheckID: { kind: 'string' },
    Name: { kind: 'string' },
    Status: { kind: 'string' },
    Notes: { kind: 'string' },
    TTL: { kind: 'duration' },
    HTTP: { kind: 'string' },
    Method: { kind: 'string' },
    Header: { kind: 'headerMap' },
    Body: { kind: 'string' },
    DisableRedirects: { kind: 'bool', aliases: ['disable_redirects'] },
    TCP: { kind: 'string' },
    TCPUseTLS: { kind: 'bool', aliases: ['tcp_use_tls'] },
    UDP: { kind: 'string' },
    GRPC: { kind: 'string' },
    GRPCUseTLS: { kind: 'bool', aliases: ['grpc_use_tls'] },
    H2PING: { kind: 'string' },
    H2PingUseTLS: { kind: 'bool', aliases: ['h2ping_use_tls'] },
    OSService: { kind: 'string', aliases: ['os_service'] },
    Args: { kind: 'stringArray', aliases: ['ScriptArgs', 'script_args'] },
    DockerContainerID: { kind: 'string', aliases: ['docker_container_id'] },
    Shell: { kind: 'string' },
    Interval: { kind: 'duration' },
    Timeout: { kind: 'duration' },
    TLSSkipVerify: { kind: 'bool', aliases: ['tls_skip_verify'] },
    TLSServerName: { kind: 'string', aliases: ['tls_server_name'] },
    AliasNode: { kind: 'string', aliases: ['alias_node'] },
    AliasService: { kind: 'string', aliases: ['alias_service'] },
    DeregisterCriticalServiceAfter: { kind: 'duration', aliases: ['deregister_critical_service_after'] },
    SuccessBeforePassing: { kind: 'int', aliases: ['success_before_passing'] },
    FailuresBeforeWarning: { kind: 'int', aliases: ['failures_before_warning'] },
    FailuresBeforeCritical: { kind: 'int', aliases: ['failures_before_critical'] },
    OutputMaxSize: { kind: 'int', aliases: ['output_max_size'] },
  },
};

const SERVICE_DEFINITION: StructSchema = {
  name: 'ServiceDefinition',
  fields: {
    Kind: { kind: 'string' },
    ID: { kind: 'string' },
    Name: { kind: 'string' },
    Tags: { kind: 'stringArray' },
    Address: { kind: 'string' },
    TaggedAddresses: {
      kind: { map: { name: 'ServiceAddress', fields: { Address: { kind: 'string' }, Port: { kind: 'int' } } } },
      aliases: ['tagged_addresses'],
    },
    Meta: { kind: 'stringMap' },
    Port: { kind: 'int' },
    SocketPath: { kind: 'string' },
    Weights: { kind: { object: { name: 'Weights', fields: { Passing: { kind: 'int' }, Warning: { kind: 'int' } } } } },
    Token: { kind: 'string' },
    EnableTagOverride: { kind: 'bool', aliases: ['enable_tag_override'] },
    Proxy: { kind: 'any' },
    Connect: { kind: 'any' },
    Namespace: { kind: 'string' },
    Partition: { kind: 'string' },
    Check: { kind: { object: CHECK_TYPE } },
    Checks: { kind: { array: CHECK_TYPE } },
  },
};

export const OUTPUT_MAX_SIZE = 4096;
const MIN_INTERVAL_MS = 1000;

export interface DecodeOptions {
  profile: 'modern' | 'legacy';
  semantics: LeaseSemantics;
}

/**
 * Decodes and validates a `PUT /v1/agent/service/register` body in the order Consul's handler does, so the
 * first problem reported is the one Consul would report. Throws ConsulHttpError(400) with Consul's text.
 */
export function decodeServiceDefinition(body: string, opts: DecodeOptions): ServiceDefinition {
  let d: Decoded;
  try {
    d = decodeStruct(parseJsonBody(body), SERVICE_DEFINITION);
  } catch (e) {
    throw badRequest(`Request decode failed: ${(e as Error).message}`);
  }
  const name = (d.Name as string | undefined) ?? '';
  if (name === '') throw badRequest('Missing service name');
  const address = (d.Address as string | undefined) ?? '';
  if (address === '0.0.0.0' || address === '::' || address === '[::]') throw badRequest('Invalid service address');
  const w = d.Weights as Decoded | undefined;
  const weights = { Passing: 1, Warning: 1 };
  if (w) {
    const passing = (w.Passing as number | undefined) ?? 0;
    const warning = (w.Warning as number | undefined) ?? 0;
    if (passing < 1) throw badRequest('Invalid Weights: Passing must be greater than 0');
    if (warning < 0) throw badRequest('Invalid Weights: Warning must be greater or equal than 0');
    if (passing > 65535 || warning > 65535) throw badRequest('Invalid Weights: DNS Weight must be between 0 and 65535');
    weights.Passing = passing;
    weights.Warning = warning;
  }
  const meta = (d.Meta as Record<string, string> | undefined) ?? {};
  const metaProblem = validateMeta(meta, opts.semantics);
  if (metaProblem) throw badRequest(`Invalid Service Meta: ${metaProblem}`);

  const rawChecks: Decoded[] = [];
  if (d.Check && !isEmptyCheck(d.Check as Decoded)) rawChecks.push(d.Check as Decoded);
  for (const c of (d.Checks as Decoded[] | undefined) ?? []) if (!isEmptyCheck(c)) rawChecks.push(c);
  const checks = rawChecks.map((c) => toCheckDefinition(c, opts));
  for (const c of rawChecks) {
    const status = c.Status as string | undefined;
    if (status && !(CheckStatuses as string[]).includes(status)) {
      throw badRequest("Status for checks must 'passing', 'warning', 'critical'");
    }
  }

  const tagged = d.TaggedAddresses as Record<string, Decoded> | undefined;
  return {
    service: {
      id: (d.ID as string | undefined) || name,
      name,
      tags: (d.Tags as string[] | undefined) ?? [],
      address,
      port: (d.Port as number | undefined) ?? 0,
      meta,
      taggedAddresses: tagged
        ? Object.fromEntries(
            Object.entries(tagged).map(([k, v]): [string, TaggedAddress] => [
              k,
              { Address: (v.Address as string | undefined) ?? '', Port: (v.Port as number | undefined) ?? 0 },
            ]),
          )
        : undefined,
      weights,
      enableTagOverride: (d.EnableTagOverride as boolean | undefined) ?? false,
    },
    checks,
  };
}

/** Decodes the `Checks`-style definition of one check (also used by persistence). */
export function toCheckDefinition(c: Decoded, opts: DecodeOptions): CheckDefinition {
  const ttlMs = (c.TTL as number | undefined) ?? 0;
  let intervalMs = (c.Interval as number | undefined) ?? 0;
  const isScript = Array.isArray(c.Args) && (c.Args as string[]).length > 0;
  const probe = ['HTTP', 'TCP', 'UDP', 'GRPC', 'H2PING', 'OSService'].some((k) => c[k]) || isScript;
  const alias = Boolean(c.AliasNode || c.AliasService);
  const invalid = (msg: string) => badRequest(`Invalid check: ${msg}`);
  if (intervalMs > 0 && ttlMs > 0) throw invalid('Interval and TTL cannot both be specified');
  if (probe && intervalMs <= 0) {
    throw invalid(
      opts.profile === 'legacy'
        ? 'Interval must be > 0 for Script, HTTP, or TCP checks'
        : 'Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks',
    );
  }
  if (alias && ttlMs > 0) throw invalid('TTL must be not be set for Alias checks');
  if (alias && intervalMs > 0) throw invalid('Interval cannot be set for Alias checks');
  if (!probe && !alias && ttlMs <= 0) throw invalid('TTL must be > 0 for TTL checks');
  const outputMaxSize = (c.OutputMaxSize as number | undefined) ?? 0;
  if (outputMaxSize < 0) throw invalid('MaxOutputMaxSize must be positive');
  if (((c.FailuresBeforeWarning as number | undefined) ?? 0) > ((c.FailuresBeforeCritical as number | undefined) ?? 0)) {
    throw invalid("FailuresBeforeWarning can't be higher than FailuresBeforeCritical");
  }
  if (probe && intervalMs < MIN_INTERVAL_MS) intervalMs = MIN_INTERVAL_MS;
  const type: CheckType = c.HTTP
    ? 'http'
    : c.TCP
      ? 'tcp'
      : c.UDP
        ? 'udp'
        : c.GRPC
          ? 'grpc'
          : c.H2PING
            ? 'h2ping'
            : isScript
              ? c.DockerContainerID
                ? 'docker'
                : 'script'
              : alias
                ? 'alias'
                : 'ttl';
  return {
    checkId: (c.CheckID as string | undefined) || undefined,
    name: (c.Name as string | undefined) || undefined,
    notes: (c.Notes as string | undefined) ?? '',
    status: ((c.Status as string | undefined) || undefined) as CheckStatus | undefined,
    type,
    ttlMs,
    intervalMs,
    timeoutMs: (c.Timeout as number | undefined) ?? 0,
    http: c.HTTP as string | undefined,
    method: c.Method as string | undefined,
    header: c.Header as Record<string, string[]> | undefined,
    body: c.Body as string | undefined,
    tcp: c.TCP as string | undefined,
    tlsSkipVerify: (c.TLSSkipVerify as boolean | undefined) ?? false,
    deregisterCriticalServiceAfterMs: (c.DeregisterCriticalServiceAfter as number | undefined) ?? 0,
    outputMaxSize: outputMaxSize || OUTPUT_MAX_SIZE,
  };
}

/** `CheckType.Empty()`: every field at its zero value. */
function isEmptyCheck(c: Decoded): boolean {
  return Object.values(c).every(
    (v) =>
      v === '' ||
      v === 0 ||
      v === false ||
      (Array.isArray(v) && v.length === 0) ||
      (typeof v === 'object' && v !== null && Object.keys(v).length === 0),
  );
}

const META_KEY = /^[a-zA-Z0-9_-]+$/;
// Nacos keeps per-instance lease overrides under `preserved.*` keys, which Consul's charset forbids.
const NACOS_PRESERVED = /^preserved\.[a-z.]+$/;

/** Consul's `validateMetadata` / `validateMetaPair`; returns the problem text or undefined. */
export function validateMeta(meta: Record<string, string>, semantics: LeaseSemantics): string | undefined {
  const entries = Object.entries(meta);
  if (entries.length > 64) return 'Node metadata cannot contain more than 64 key/value pairs';
  for (const [k, v] of entries) {
    let problem: string | undefined;
    if (k === '') problem = 'Key cannot be blank';
    else if (!META_KEY.test(k) && !(semantics === 'nacos' && NACOS_PRESERVED.test(k))) problem = 'Key contains invalid characters';
    else if (k.length > 128) problem = 'Key is too long (limit: 128 characters)';
    else if (k.startsWith('consul-')) problem = "Key prefix 'consul-' is reserved for internal use";
    else if (v.length > 512) problem = 'Value is too long (limit: 512 characters)';
    if (problem) return `Couldn't load metadata pair ('${k}', '${v}'): ${problem}`;
  }
  return undefined;
}
