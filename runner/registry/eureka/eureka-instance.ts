/**
 * An Eureka InstanceInfo as the Eureka face keeps it, and the decoder of a register body
 * (reference/registry-wire.md §1.3, §1.5). Lenient where real clients differ (eureka-js-client sends
 * `port: 8080`, no `@class`, no `leaseInfo`; Spring sends booleans and numbers where Netflix's codec writes
 * strings), strict where Eureka is: the seven 400 texts, in Eureka's order.
 */
export const EurekaStatuses = ['UP', 'DOWN', 'STARTING', 'OUT_OF_SERVICE', 'UNKNOWN'] as const;
export type EurekaStatus = (typeof EurekaStatuses)[number];

export const DEFAULT_DATA_CENTER_CLASS = 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo';

export interface EurekaInstance {
  /** InstanceInfo.getId(): instanceId, else hostName. */
  id: string;
  /** Upper case. */
  app: string;
  instanceId?: string;
  appGroupName?: string;
  hostName: string;
  ipAddr: string;
  status: EurekaStatus;
  overriddenStatus: EurekaStatus;
  port: number;
  portEnabled: boolean;
  securePort: number;
  securePortEnabled: boolean;
  countryId: number;
  dataCenterInfo: { '@class': string; name: string; metadata?: Record<string, string> };
  renewalIntervalInSecs: number;
  durationInSecs: number;
  metadata: Record<string, string>;
  homePageUrl?: string;
  statusPageUrl?: string;
  healthCheckUrl?: string;
  secureHealthCheckUrl?: string;
  vipAddress?: string;
  secureVipAddress?: string;
  isCoordinatingDiscoveryServer: boolean;
  /** Client-side ms; renew compares the query's value with it (E-6). */
  lastDirtyTimestamp: number;
  lastUpdatedTimestamp: number;
  registrationTimestamp: number;
  serviceUpTimestamp: number;
}

/** A 400 with Eureka's plain-text body. */
export class EurekaBadRequest extends Error {
  readonly statusCode = 400;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function num(v: unknown, dflt: number): number {
  const s = str(v);
  if (s === undefined || s.trim() === '') return dflt;
  const n = Number(s);
  return Number.isFinite(n) ? n : dflt;
}

function bool(v: unknown, dflt: boolean): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return dflt;
}

/** `port` as 8080, "8080" or {"$":8080|"8080","@enabled":true|"true"}. */
function portOf(v: unknown, dfltPort: number, dfltEnabled: boolean): { port: number; enabled: boolean } {
  if (isObject(v)) return { port: Math.trunc(num(v.$, dfltPort)), enabled: bool(v['@enabled'], dfltEnabled) };
  if (v === undefined || v === null) return { port: dfltPort, enabled: dfltEnabled };
  return { port: Math.trunc(num(v, dfltPort)), enabled: true };
}

function statusOf(v: unknown, dflt: EurekaStatus): EurekaStatus {
  const s = str(v)?.toUpperCase();
  return (EurekaStatuses as readonly string[]).includes(s ?? '') ? (s as EurekaStatus) : dflt;
}

/** String map; drops the `@class` marker Java writers add (EurekaJacksonCodec does the same). */
function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, val] of Object.entries(v)) {
    if (k === '@class') continue;
    const s = str(val);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/**
 * Decodes `POST /apps/{APP}`. `pathApp` is the path segment (any case). Throws EurekaBadRequest with the
 * exact Eureka text; a body that is not `{"instance":{...}}` JSON gets `Malformed instance JSON: ...`.
 */
export function decodeEurekaRegistration(body: string, pathApp: string, now: number): EurekaInstance {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw new EurekaBadRequest(`Malformed instance JSON: ${(e as Error).message}`);
  }
  const root = isObject(parsed) && isObject(parsed.instance) ? parsed.instance : undefined;
  if (!root) throw new EurekaBadRequest('Malformed instance JSON: expected {"instance":{...}}');
  const instanceId = str(root.instanceId)?.trim() || undefined;
  const hostName = str(root.hostName)?.trim() ?? '';
  const ipAddr = str(root.ipAddr)?.trim() ?? '';
  const app = (str(root.app)?.trim() ?? '').toUpperCase();
  const pathUpper = pathApp.toUpperCase();
  // InstanceInfo.getId() falls back to hostName, so a body without either reads as `Missing hostname`
  // (vector E-8); Eureka's first check, `Missing instanceId`, cannot fire once hostName is present.
  if (!hostName) throw new EurekaBadRequest('Missing hostname');
  const id = instanceId ?? hostName;
  if (!ipAddr) throw new EurekaBadRequest('Missing ip address');
  if (!app) throw new EurekaBadRequest('Missing appName');
  if (app !== pathUpper) throw new EurekaBadRequest(`Mismatched appName, expecting ${pathUpper} but was ${app}`);
  if (!isObject(root.dataCenterInfo)) throw new EurekaBadRequest('Missing dataCenterInfo');
  const dcName = str(root.dataCenterInfo.name)?.trim();
  if (!dcName) throw new EurekaBadRequest('Missing dataCenterInfo Name');

  const port = portOf(root.port, 7001, true);
  const secure = portOf(root.securePort, 7002, false);
  const lease = isObject(root.leaseInfo) ? root.leaseInfo : {};
  const durationInSecs = Math.max(1, num(lease.durationInSecs, 90));
  const dc: EurekaInstance['dataCenterInfo'] = {
    '@class': str(root.dataCenterInfo['@class']) ?? DEFAULT_DATA_CENTER_CLASS,
    name: dcName,
  };
  if (isObject(root.dataCenterInfo.metadata)) dc.metadata = stringMap(root.dataCenterInfo.metadata);
  const text = (k: string) => str(root[k]) || undefined;
  return {
    id,
    app,
    instanceId,
    appGroupName: text('appGroupName'),
    hostName,
    ipAddr,
    status: statusOf(root.status, 'UP'),
    overriddenStatus: statusOf(root.overriddenStatus ?? root.overriddenstatus, 'UNKNOWN'),
    port: port.port,
    portEnabled: port.enabled,
    securePort: secure.port,
    securePortEnabled: secure.enabled,
    countryId: num(root.countryId, 1),
    dataCenterInfo: dc,
    renewalIntervalInSecs: Math.max(1, num(lease.renewalIntervalInSecs, 30)),
    durationInSecs,
    metadata: stringMap(root.metadata),
    homePageUrl: text('homePageUrl'),
    statusPageUrl: text('statusPageUrl'),
    healthCheckUrl: text('healthCheckUrl'),
    secureHealthCheckUrl: text('secureHealthCheckUrl'),
    vipAddress: text('vipAddress'),
    secureVipAddress: text('secureVipAddress'),
    isCoordinatingDiscoveryServer: bool(root.isCoordinatingDiscoveryServer, false),
    lastDirtyTimestamp: num(root.lastDirtyTimestamp, now),
    lastUpdatedTimestamp: now,
    registrationTimestamp: now,
    serviceUpTimestamp: now,
  };
}

export function isEurekaStatus(s: string): s is EurekaStatus {
  return (EurekaStatuses as readonly string[]).includes(s);
}
