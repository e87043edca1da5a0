import { formatGoDuration } from '../go-duration.ts';
import type { CheckRecord, ServiceRecord } from '../registry-types.ts';

/**
 * Consul's JSON shapes (reference/registry.md §1.4-§1.8). Nil lists become [], nil Meta becomes {}; the
 * legacy profile drops fields newer agents added (Proxy, Connect, PeerName).
 */
export interface AgentNode {
  id: string;
  name: string;
  address: string;
  datacenter: string;
}

/** How a registry renders: its API profile and the node it is (name and datacenter from config). */
export interface RenderOptions {
  profile: 'modern' | 'legacy';
  node: AgentNode;
}

/** The agent's node: a fixed ID and address; name and datacenter as configured. */
export function agentNode(name: string, datacenter: string): AgentNode {
  return { id: 'b4c5d2e1-0000-4000-8000-6d6963726f64', name, address: '127.0.0.1', datacenter };
}

/** The `consul` service a server agent registers for itself (port 8300), listed in the catalog. */
export function consulService(version: string): ServiceRecord {
  return {
    id: 'consul',
    name: 'consul',
    tags: [],
    address: '',
    port: 8300,
    meta: {
      non_voter: 'false',
      raft_version: '3',
      read_replica: 'false',
      serf_protocol_current: '2',
      serf_protocol_max: '5',
      serf_protocol_min: '1',
      version,
    },
    weights: { Passing: 1, Warning: 1 },
    enableTagOverride: false,
    createIndex: 1,
    modifyIndex: 1,
  };
}

export function renderAgentService(s: ServiceRecord, r: RenderOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ID: s.id,
    Service: s.name,
    Tags: s.tags,
    Meta: s.meta,
    Port: s.port,
    Address: s.address,
  };
  const tagged = taggedAddresses(s);
  if (tagged) out.TaggedAddresses = tagged;
  out.Weights = s.weights;
  out.EnableTagOverride = s.enableTagOverride;
  if (r.profile === 'modern') out.Datacenter = r.node.datacenter;
  return out;
}

export function renderCheck(c: CheckRecord, r: RenderOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Node: r.node.name,
    CheckID: c.checkId,
    Name: c.name,
    Status: c.status,
    Notes: c.notes,
    Output: c.output,
    ServiceID: c.serviceId,
    ServiceName: c.serviceName,
    ServiceTags: c.serviceTags,
    Type: c.type,
  };
  if (r.profile === 'modern') {
    out.Interval = c.intervalMs ? formatGoDuration(c.intervalMs) : '';
    out.Timeout = c.timeoutMs ? formatGoDuration(c.timeoutMs) : '';
    out.ExposedPort = 0;
  }
  out.Definition = {};
  out.CreateIndex = c.createIndex;
  out.ModifyIndex = c.modifyIndex;
  return out;
}

/** The agent's own node check, present in every health/service entry. */
export function serfHealth(r: RenderOptions, index: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Node: r.node.name,
    CheckID: 'serfHealth',
    Name: 'Serf Health Status',
    Status: 'passing',
    Notes: '',
    Output: 'Agent alive and reachable',
    ServiceID: '',
    ServiceName: '',
    ServiceTags: [],
    Type: '',
  };
  if (r.profile === 'modern') {
    out.Interval = '';
    out.Timeout = '';
    out.ExposedPort = 0;
  }
  out.Definition = {};
  out.CreateIndex = 1;
  out.ModifyIndex = Math.max(1, Math.min(index, 1));
  return out;
}

export function renderNode(r: RenderOptions): Record<string, unknown> {
  return {
    ID: r.node.id,
    Node: r.node.name,
    Address: r.node.address,
    Datacenter: r.node.datacenter,
    TaggedAddresses: { lan: r.node.address, lan_ipv4: r.node.address, wan: r.node.address, wan_ipv4: r.node.address },
    Meta: { 'consul-network-segment': '' },
    ...(r.profile === 'modern' ? { PeerName: '' } : {}),
    CreateIndex: 1,
    ModifyIndex: 1,
  };
}

/** A health/service entry's Service object (structs.NodeService: Port omitted when 0). */
export function renderHealthService(s: ServiceRecord, r: RenderOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ID: s.id,
    Service: s.name,
    Tags: s.tags,
    Address: s.address,
  };
  const tagged = taggedAddresses(s);
  if (tagged) out.TaggedAddresses = tagged;
  out.Meta = s.meta;
  if (s.port) out.Port = s.port;
  out.Weights = s.weights;
  out.EnableTagOverride = s.enableTagOverride;
  if (r.profile === 'modern') {
    out.Proxy = { Mode: '', MeshGateway: {}, Expose: {} };
    out.Connect = {};
    out.PeerName = '';
  }
  out.CreateIndex = s.createIndex;
  out.ModifyIndex = s.modifyIndex;
  return out;
}

export function renderCatalogService(s: ServiceRecord, r: RenderOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ID: r.node.id,
    Node: r.node.name,
    Address: r.node.address,
    Datacenter: r.node.datacenter,
    TaggedAddresses: { lan: r.node.address, lan_ipv4: r.node.address, wan: r.node.address, wan_ipv4: r.node.address },
    NodeMeta: { 'consul-network-segment': '' },
    ServiceKind: '',
    ServiceID: s.id,
    ServiceName: s.name,
    ServiceTags: s.tags,
    ServiceAddress: s.address,
  };
  const tagged = taggedAddresses(s);
  if (tagged) out.ServiceTaggedAddresses = tagged;
  out.ServiceWeights = s.weights;
  out.ServiceMeta = s.meta;
  out.ServicePort = s.port;
  out.ServiceSocketPath = '';
  out.ServiceEnableTagOverride = s.enableTagOverride;
  if (r.profile === 'modern') {
    out.ServiceProxy = { Mode: '', MeshGateway: {}, Expose: {} };
    out.ServiceConnect = {};
    out.ServicePeerName = '';
  }
  out.CreateIndex = s.createIndex;
  out.ModifyIndex = s.modifyIndex;
  return out;
}

// The agent adds lan_ipv4/wan_ipv4 for an IPv4 service address.
function taggedAddresses(s: ServiceRecord): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = { ...(s.taggedAddresses ?? {}) };
  if (/^\d+\.\d+\.\d+\.\d+$/.test(s.address)) {
    out.lan_ipv4 ??= { Address: s.address, Port: s.port };
    out.wan_ipv4 ??= { Address: s.address, Port: s.port };
  }
  return Object.keys(out).length ? out : undefined;
}

/** `/v1/agent/service/:id` adds a hash of the definition (X-Consul-ContentHash). */
export function contentHash(s: ServiceRecord): string {
  let h = 0x811c9dc5;
  const text = `${s.id}|${s.name}|${s.tags.join(',')}|${s.address}|${s.port}|${JSON.stringify(s.meta)}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(16, '0');
}
