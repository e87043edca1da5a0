/**
 * The registry on Kubernetes: a 3-replica Consul server StatefulSet (bootstrap-expect 3, retry-join over a
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
import type { LabelTarget } from '../kubernetes-labels.ts';
import type { K8sObject, ObjectMeta } from './kubernetes-manifests.ts';
import { REGISTRY_NAME, objectLabels, selectorLabels } from '../kubernetes-labels.ts';

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
  const target: LabelTarget = { component: 'registry' };
  const selector = selectorLabels(project, target);
  const ports: Array<{ name: string; port: number; protocol: 'TCP' | 'UDP' }> = [
    { name: 'http', port: CONSUL_HTTP, protocol: 'TCP' },
    { name: 'server', port: 8300, protocol: 'TCP' },
    { name: 'serf-lan', port: 8301, protocol: 'TCP' },
    { name: 'dns', port: 8600, protocol: 'UDP' },
  ];
  const joins = Array.from({ length: REGISTRY_REPLICAS }, (_, i) => `-retry-join=${REGISTRY_NAME}-${i}.${REGISTRY_HEADLESS}`);
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
      spec: { selector, ports: [{ name: 'http', port: CONSUL_HTTP, targetPort: CONSUL_HTTP, protocol: 'TCP' }] },
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
          spec: {
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'consul',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  'agent',
                  '-server',
                  `-bootstrap-expect=${REGISTRY_REPLICAS}`,
                  '-client=0.0.0.0',
                  '-data-dir=/consul/data',
                  '-ui',
                  ...joins,
                ],
                ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })),
                // Ready once the servers formed a cluster with a leader (list-peers fails until then).
                readinessProbe: {
                  exec: { command: ['sh', '-c', `consul operator raft list-peers >/dev/null`] },
                  periodSeconds: 5,
                  failureThreshold: 3,
                },
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
                volumeMounts: [{ name: 'data', mountPath: '/consul/data' }],
              },
            ],
          },
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
