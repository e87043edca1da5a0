/**
 * Eureka's wire shapes (reference/registry-wire.md §1.4): InstanceInfo and Applications as
 * EurekaJacksonCodec writes them (field order, `@Auto` fields as strings, `port: {"$":n,"@enabled":"true"}`,
 * empty metadata as Java's EmptyMap marker, `versions__delta` / `apps__hashcode`), and the XStream XML
 * twin for clients that do not ask for JSON.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { CheckStatus, ServiceRecord } from '../registry-types.ts';
import { FACE_META_KEY } from '../registry-types.ts';
import { eurekaAppOf } from '../faces/face-names.ts';
import { DEFAULT_DATA_CENTER_CLASS, type EurekaInstance, type EurekaStatus } from './eureka-instance.ts';

export type ActionType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** What the face adds to a catalog record registered through it (absent for Consul/Nacos instances). */
export interface EurekaSide {
  info: EurekaInstance;
  /** Lease-clock ms; after a renew Eureka reports now + duration (Lease.renew's quirk). */
  lastRenewalTimestamp: number;
  actionType: ActionType;
}

const EMPTY_MAP = { '@class': 'java.util.Collections$EmptyMap' };

/** The status Eureka reports: an override wins; a Consul `fail` on the lease check reads as DOWN. */
export function eurekaStatusOf(checkStatus: CheckStatus, side: EurekaSide | undefined): EurekaStatus {
  const own = side ? effectiveStatus(side.info) : 'UP';
  if (checkStatus === 'critical' && own === 'UP') return 'DOWN';
  return own;
}

export function effectiveStatus(info: Pick<EurekaInstance, 'status' | 'overriddenStatus'>): EurekaStatus {
  return info.overriddenStatus !== 'UNKNOWN' ? info.overriddenStatus : info.status;
}

/** InstanceInfo JSON for any catalog record; Consul and Nacos instances get Eureka's defaults. */
export function renderInstance(service: ServiceRecord, checkStatus: CheckStatus, side: EurekaSide | undefined, actionType?: ActionType): Record<string, unknown> {
  const status = eurekaStatusOf(checkStatus, side);
  const i = side?.info;
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(i ? i.metadata : service.meta)) if (k !== FACE_META_KEY) meta[k] = v;
  // A weight set on the catalog record (RegistryCore.setWeight) shows in the metadata of every face.
  if (i && service.meta.weight !== undefined && i.metadata.weight !== service.meta.weight) meta.weight = service.meta.weight;
  const host = i?.hostName ?? service.address;
  const port = i?.port ?? service.port;
  const out: Record<string, unknown> = {
    instanceId: i ? i.instanceId : service.id,
    hostName: host,
    app: i?.app ?? eurekaAppOf(service.name),
    ipAddr: i?.ipAddr ?? service.address,
    status,
    overriddenStatus: i?.overriddenStatus ?? 'UNKNOWN',
    port: { $: port, '@enabled': String(i ? i.portEnabled : true) },
    securePort: { $: i?.securePort ?? 443, '@enabled': String(i ? i.securePortEnabled : false) },
    countryId: i?.countryId ?? 1,
    dataCenterInfo: i?.dataCenterInfo ?? { '@class': DEFAULT_DATA_CENTER_CLASS, name: 'MyOwn' },
    leaseInfo: {
      renewalIntervalInSecs: i?.renewalIntervalInSecs ?? 30,
      durationInSecs: i?.durationInSecs ?? 90,
      registrationTimestamp: i?.registrationTimestamp ?? 0,
      lastRenewalTimestamp: side?.lastRenewalTimestamp ?? 0,
      evictionTimestamp: 0,
      serviceUpTimestamp: i?.serviceUpTimestamp ?? 0,
    },
    metadata: Object.keys(meta).length ? meta : EMPTY_MAP,
    homePageUrl: i ? i.homePageUrl : `http://${host}:${port}/`,
    statusPageUrl: i?.statusPageUrl,
    healthCheckUrl: i?.healthCheckUrl,
    secureHealthCheckUrl: i?.secureHealthCheckUrl,
    vipAddress: i ? i.vipAddress : service.name,
    secureVipAddress: i ? i.secureVipAddress : service.name,
    isCoordinatingDiscoveryServer: String(i?.isCoordinatingDiscoveryServer ?? false),
    lastUpdatedTimestamp: String(i?.lastUpdatedTimestamp ?? 0),
    lastDirtyTimestamp: String(i?.lastDirtyTimestamp ?? 0),
    actionType: actionType ?? side?.actionType ?? 'ADDED',
  };
  if (i?.appGroupName) out.appGroupName = i.appGroupName;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** Applications.getReconcileHashCode: STATUS_count_ per status with count > 0, statuses sorted. */
export function appsHashcode(statuses: Iterable<string>): string {
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.keys()]
    .sort()
    .map((s) => `${s}_${counts.get(s)}_`)
    .join('');
}

/** `{"applications":{...}}` from rendered instances, apps in name order, instances as given. */
export function renderApplications(instances: Record<string, unknown>[], version: number, hashcode: string): Record<string, unknown> {
  const apps = new Map<string, Record<string, unknown>[]>();
  for (const inst of instances) {
    const app = String(inst.app);
    let list = apps.get(app);
    if (!list) apps.set(app, (list = []));
    list.push(inst);
  }
  const application = [...apps.keys()].sort().map((name) => ({ name, instance: apps.get(name)! }));
  return { applications: { versions__delta: String(version), apps__hashcode: hashcode, application } };
}

const xml = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '$', suppressEmptyNode: true, suppressBooleanAttributes: false });

/** XStream's XML: `<port enabled="true">`, `<dataCenterInfo class=...>`, `overriddenstatus`. */
export function toXml(body: Record<string, unknown>): string {
  return xml.build(xmlShape(body)) as string;
}

function xmlShape(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => xmlShape(x, key));
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (k === '@class') out['@class'] = val;
    else if (k === '@enabled') out['@enabled'] = val;
    else if (k === 'overriddenStatus') out.overriddenstatus = val;
    else out[k] = xmlShape(val, k);
  }
  void key;
  return out;
}
