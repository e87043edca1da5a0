/**
 * A topology as Kubernetes objects, one file per part (pure; export-kubernetes.ts writes them):
 *
 *   registry.yaml   Consul or etcd: StatefulSet x3 + headless Service + client Service  component registry
 *   gateway.yaml    micro-dev (no services): gateway, proxy, web gateway, broker      component gateway
 *                   as a Deployment + Service, its config from the topology ConfigMap
 *   <service>.yaml  Deployment (replicas, readiness probe, resources) + Service      component service
 *   topology.yaml   ConfigMap: the user's micro.dev.yaml and the gateway's config
 *   namespace.yaml  with --namespace
 *   kustomization.yaml  the files above, the namespace, the images (so an overlay can retag them)
 *
 * Every object carries the labels of kubernetes-labels.ts. Services register their pod IP
 * (MICRO_SERVER_ADVERTISE from the downward API) with registry pod 0's agent (etcd: with any of the three).
 */
import path from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IService } from 'kubernetes-models/v1/Service';
import type { Topology } from '../../config/topology.ts';
import type { ContainerPlan } from '../container-plan.ts';
import type { InfraPorts } from '../infra-config.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { GATEWAY_NAME, objectLabels, selectorLabels, type LabelTarget } from '../kubernetes-labels.ts';
import { consulRegistryObjects, etcdRegistryObjects } from './registry-manifests.ts';

/** The kinds the export writes (typed by kubernetes-models: a misspelt field does not compile). */
export type K8sObject = IDeployment | IStatefulSet | IService | IConfigMap | INamespace;
export type ObjectMeta = NonNullable<IDeployment['metadata']>;

export interface ManifestFile {
  file: string;
  objects: K8sObject[];
}

export interface ManifestInput {
  topology: Topology;
  /** The user's micro.dev.yaml text and the gateway's config (infra-config.ts). */
  topologyText: string;
  infraConfigText: string;
  /** Where the gateway's config sits in the app image (its relative paths resolve from there). */
  infraConfigPath: string;
  microDevBin: string;
  plans: ContainerPlan[];
  ports: InfraPorts;
  consulImage: string;
  /** Registry kind etcd: the image of the members. */
  etcdImage: string;
  namespace?: string;
}

/**
 * A name Kubernetes accepts for a Deployment or Service (RFC 1123 label: lowercase letters, digits, `-`, at
 * most 63): a topology's service may be `Orders_srv`, its objects are `orders-srv` (labels keep the name).
 */
export function objectName(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 63).replace(/^-+|-+$/g, '') || 'x';
}

/** The image of the app (project + packages) on one base; each base is one image to build. */
export function appImageName(project: string, base: string, nodeImage: string): string {
  return base === nodeImage ? `${objectName(project)}-app` : `${objectName(project)}-app-${objectName(base.replace(/[:/@.]/g, '-'))}`;
}

export function kubernetesManifests(input: ManifestInput, nodeImage: string): ManifestFile[] {
  const { topology } = input;
  const project = topology.name;
  const meta = (name: string, target: LabelTarget): ObjectMeta => ({
    name,
    ...(input.namespace ? { namespace: input.namespace } : {}),
    labels: objectLabels(project, target),
  });
  const topologyMap = `${objectName(project)}-topology`;
  const files: ManifestFile[] = [];
  if (input.namespace) files.push({ file: 'namespace.yaml', objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: input.namespace } }] });
  files.push({
    file: 'topology.yaml',
    objects: [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: meta(topologyMap, { component: 'gateway' }),
        data: { 'micro.dev.yaml': input.topologyText, [path.posix.basename(input.infraConfigPath)]: input.infraConfigText },
      },
    ],
  });
  const registry = topology.registry.kind === 'etcd' ? etcdRegistryObjects(project, input.etcdImage, meta) : consulRegistryObjects(project, input.consulImage, meta);
  files.push({ file: 'registry.yaml', objects: registry });
  files.push({ file: 'gateway.yaml', objects: gatewayObjects(input, meta, topologyMap, appImageName(project, nodeImage, nodeImage)) });
  const taken = new Map<string, string>();
  for (const plan of input.plans) {
    const name = objectName(plan.service.name);
    const other = taken.get(name);
    if (other) throw new MicroDevError('CONFIG_INVALID', `services ${other} and ${plan.service.name} both become the Kubernetes name ${name} (lowercase letters, digits and -); rename one to export this topology`);
    taken.set(name, plan.service.name);
    files.push({ file: `${name}.yaml`, objects: serviceObjects(project, plan, meta, nodeImage) });
  }
  return files;
}

type Meta = (name: string, target: LabelTarget) => ObjectMeta;

function gatewayObjects(input: ManifestInput, meta: Meta, topologyMap: string, image: string): K8sObject[] {
  const project = input.topology.name;
  const target: LabelTarget = { component: 'gateway' };
  const ports = [
    { name: 'gateway', port: input.ports.gateway },
    { name: 'proxy', port: input.ports.proxy },
    { name: 'web', port: input.ports.web },
    { name: 'broker', port: input.ports.broker },
  ];
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(GATEWAY_NAME, target),
      spec: {
        // One: the broker is in process, and micro-dev's gateway keeps no shared state beyond the registry.
        replicas: 1,
        selector: { matchLabels: selectorLabels(project, target) },
        template: {
          metadata: { labels: objectLabels(project, target) },
          spec: {
            containers: [
              {
                name: 'micro-dev',
                image,
                imagePullPolicy: 'IfNotPresent',
                command: ['node', input.microDevBin, 'up', '--no-tui', '--no-watch', '-c', input.infraConfigPath],
                ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
                readinessProbe: { tcpSocket: { port: 'gateway' }, periodSeconds: 5 },
                livenessProbe: { tcpSocket: { port: 'gateway' }, periodSeconds: 10, failureThreshold: 6 },
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
                volumeMounts: [{ name: 'config', mountPath: input.infraConfigPath, subPath: path.posix.basename(input.infraConfigPath), readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: topologyMap } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(GATEWAY_NAME, target),
      spec: {
        selector: selectorLabels(project, target),
        ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: 'TCP' })),
      },
    },
  ];
}

function serviceObjects(project: string, plan: ContainerPlan, meta: Meta, nodeImage: string): K8sObject[] {
  const s = plan.service;
  const target: LabelTarget = { component: 'service', service: s.name };
  const image = plan.image.kind === 'image' ? plan.image.image : plan.image.kind === 'app' ? appImageName(project, plan.image.base, nodeImage) : `${objectName(project)}-${objectName(s.name)}`;
  const env = [
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ...Object.entries(plan.env).map(([name, value]) => ({ name, value })),
    // After POD_IP: Kubernetes expands $(POD_IP) only from variables defined before.
    ...(plan.env.MICRO_SERVER_ADVERTISE ? [] : [{ name: 'MICRO_SERVER_ADVERTISE', value: `$(POD_IP):${plan.port}` }]),
  ];
  const container: IContainer = {
    name: objectName(s.name),
    image,
    imagePullPolicy: 'IfNotPresent',
    ...(plan.command ? { command: plan.command } : {}),
    ...(plan.workingDir ? { workingDir: plan.workingDir } : {}),
    env,
    ports: [{ name: 'micro', containerPort: plan.port, protocol: 'TCP' }],
    ...(plan.health ? { readinessProbe: probe(plan) } : {}),
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
  };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(objectName(s.name), target),
      spec: {
        replicas: s.replicas,
        selector: { matchLabels: selectorLabels(project, target) },
        template: {
          metadata: { labels: objectLabels(project, target) },
          spec: { terminationGracePeriodSeconds: Math.max(1, Math.ceil(s.stopTimeoutMs / 1000)), containers: [container] },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(objectName(s.name), target),
      spec: { selector: selectorLabels(project, target), ports: [{ name: 'micro', port: plan.port, targetPort: 'micro', protocol: 'TCP' }] },
    },
  ];
}

/** The readiness probe: HTTP and TCP as Kubernetes probes, `registered` as the check command. */
function probe(plan: ContainerPlan): IProbe {
  const h = plan.health!;
  const timing = { periodSeconds: h.kind === 'exec' ? 5 : 2, failureThreshold: 5, timeoutSeconds: 5 };
  if (h.kind === 'http') return { httpGet: { path: h.path, port: h.port }, ...timing };
  if (h.kind === 'tcp') return { tcpSocket: { port: h.port }, ...timing };
  return { exec: { command: h.command }, ...timing };
}
