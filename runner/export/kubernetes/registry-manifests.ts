/**
 * The registry on Kubernetes: with registry kind etcd, a 3-member etcd StatefulSet (below); otherwise a
 * 3-replica Consul server StatefulSet (bootstrap-expect 3, retry-join over a
 * headless Service), a client Service for reads, and a volume per server. Pods start in parallel and the
 * headless Service publishes not-ready addresses, so the servers find each other before any is ready.
 *
 *   micro-dev-registry-headless (clusterIP None) -> micro-dev-registry-{0,1,2}  (StatefulSet, serf + raft)
 *   micro-dev-registry          (ClusterIP 8500) -> any ready server             (the gateway's reads)
 *
 * Services register with one agent, micro-dev-registry-0 (`registryAgentAddress`): Consul keeps TTL checks
 * on the agent that registered them, so a heartbeat sent through a load-balanced Service to another server
 * would find no check (production runs a client agent per node; see README "When one machine is not enough").
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { LabelTarget } from '../kubernetes-labels.ts';
import type { K8sObject, ObjectMeta } from './kubernetes-manifests.ts';
import { REGISTRY_NAME, objectLabels, selectorLabels } from '../kubernetes-labels.ts';
import { ETCD_CLIENT_PORT, ETCD_DATA_DIR, ETCD_PEER_PORT, etcdEndpoints, etcdMemberCommand, type EtcdMember } from '../etcd-members.ts';

export const REGISTRY_HEADLESS = `${REGISTRY_NAME}-headless`;
export const REGISTRY_REPLICAS = 3;
const CONSUL_HTTP = 8500;

/** The Consul HTTP API a service registers and heartbeats with. */
export function registryAgentAddress(): string {
  return `${REGISTRY_NAME}-0.${REGISTRY_HEADLESS}:${CONSUL_HTTP}`;
}

/** The Consul HTTP API behind the client Service (any server). */
export function registryServiceAddress(): string {
  return `${REGISTRY_NAME}:${CONSUL_HTTP}`;
}

export function consulRegistryObjects(project: string, image: string, meta: (name: string, target: LabelTarget) => ObjectMeta): K8sObject[] {
  const ports: RegistryPort[] = [
    { name: 'http', port: CONSUL_HTTP, protocol: 'TCP' },
    { name: 'server', port: 8300, protocol: 'TCP' },
    { name: 'serf-lan', port: 8301, protocol: 'TCP' },
    { name: 'dns', port: 8600, protocol: 'UDP' },
  ];
  const joins = Array.from({ length: REGISTRY_REPLICAS }, (_, i) => `-retry-join=${REGISTRY_NAME}-${i}.${REGISTRY_HEADLESS}`);
  return registryStatefulSet(project, meta, ports, ports[0]!, {
    name: 'consul',
    image,
    imagePullPolicy: 'IfNotPresent',
    args: ['agent', '-server', `-bootstrap-expect=${REGISTRY_REPLICAS}`, '-client=0.0.0.0', '-data-dir=/consul/data', '-ui', ...joins],
    ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })),
    // Ready once the servers formed a cluster with a leader (list-peers fails until then).
    readinessProbe: {
      exec: { command: ['sh', '-c', `consul operator raft list-peers >/dev/null`] },
      periodSeconds: 5,
      failureThreshold: 3,
    },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    volumeMounts: [{ name: 'data', mountPath: '/consul/data' }],
  });
}

/** The etcd members as pods of the StatefulSet: micro-dev-registry-N, dialed by their DNS name under the headless Service. */
function etcdPodMembers(): EtcdMember[] {
  return Array.from({ length: REGISTRY_REPLICAS }, (_, i) => ({ name: `${REGISTRY_NAME}-${i}`, host: `${REGISTRY_NAME}-${i}.${REGISTRY_HEADLESS}` }));
}

/** Every member's client endpoint (host:port, comma separated): what the gateway and services dial. */
export function etcdRegistryAddress(): string {
  return etcdEndpoints(etcdPodMembers());
}

/**
 * Registry kind etcd: a 3-member etcd StatefulSet. Each pod is a member named after itself (POD_NAME from the
 * downward API, expanded by Kubernetes in the command), advertising its DNS name under the headless Service;
 * `--initial-cluster` lists the three. Pods start in parallel and the headless Service publishes not-ready
 * addresses, so the members find each other before any is ready (ready = etcd's /health: a leader).
 *
 *   micro-dev-registry-headless (clusterIP None) -> micro-dev-registry-{0,1,2}  (client 2379, peer 2380)
 *   micro-dev-registry          (ClusterIP 2379) -> any ready member           (etcdctl, other tools)
 *
 * Services and the gateway dial all three by name (etcdRegistryAddress), as go-micro's etcd registry takes
 * several endpoints; etcd keeps leases cluster-wide, so unlike Consul any member will do.
 */
export function etcdRegistryObjects(project: string, image: string, meta: (name: string, target: LabelTarget) => ObjectMeta): K8sObject[] {
  const ports: RegistryPort[] = [
    { name: 'client', port: ETCD_CLIENT_PORT, protocol: 'TCP' },
    { name: 'peer', port: ETCD_PEER_PORT, protocol: 'TCP' },
  ];
  const members = etcdPodMembers();
  const self: EtcdMember = { name: '$(POD_NAME)', host: `$(POD_NAME).${REGISTRY_HEADLESS}` };
  return registryStatefulSet(project, meta, ports, ports[0]!, {
    name: 'etcd',
    image,
    imagePullPolicy: 'IfNotPresent',
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    command: etcdMemberCommand(self, members, project),
    ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })),
    readinessProbe: { httpGet: { path: '/health', port: ETCD_CLIENT_PORT }, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 3 },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    volumeMounts: [{ name: 'data', mountPath: ETCD_DATA_DIR }],
  });
}

interface RegistryPort {
  name: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

/**
 * The shape both registries share: a headless Service over every port (not-ready addresses published, so
 * members find each other before any is ready), a client Service on one port, and a StatefulSet of
 * REGISTRY_REPLICAS pods started in parallel, each with a 1 Gi volume `data`, running `container`.
 */
function registryStatefulSet(
  project: string,
  meta: (name: string, target: LabelTarget) => ObjectMeta,
  ports: readonly RegistryPort[],
  client: RegistryPort,
  container: IContainer,
): K8sObject[] {
  const target: LabelTarget = { component: 'registry' };
  const selector = selectorLabels(project, target);
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(REGISTRY_HEADLESS, target),
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector,
        ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol })),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(REGISTRY_NAME, target),
      spec: { selector, ports: [{ name: client.name, port: client.port, targetPort: client.port, protocol: client.protocol }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(REGISTRY_NAME, target),
      spec: {
        serviceName: REGISTRY_HEADLESS,
        replicas: REGISTRY_REPLICAS,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: objectLabels(project, target) },
          spec: { terminationGracePeriodSeconds: 30, containers: [container] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    },
  ];
}
