/**
 * A topology as a Compose file (compose-spec, no `version:`; read by `docker compose` and by docker-compose
 * 1.27+, Debian's 1.29 included):
 *
 *   consul or etcd    <-- infra: `micro-dev up` with no services: registry (embedded unless consul/etcd),
 *                          gateway, proxy, web gateway, broker; published on the topology's ports
 *                            ^ depends_on service_healthy
 *   <service> x replicas: the app image (or its own), MICRO_* pointing at infra / consul / the etcd members,
 *                         a health check from its readiness, depends_on with the topology's conditions
 *
 * Host ports are `${MICRO_DEV_GATEWAY_PORT:-8080}` and alike, so a second copy can run beside the first.
 */
import type { ServiceConfig, Topology } from '../../config/topology.ts';
import { probeCommand, type ContainerPlan } from '../container-plan.ts';
import { objectLabels } from '../kubernetes-labels.ts';
import type { InfraPorts } from '../infra-config.ts';
import { ETCD_CLIENT_PORT, etcdHealthCommand, etcdMemberCommand, type EtcdMember } from '../etcd-members.ts';

export const INFRA_SERVICE = 'infra';
export const CONSUL_SERVICE = 'consul';

/** The Compose services of an etcd of `members` members: `etcd` alone, or etcd-1..etcd-N. */
export function etcdComposeMembers(members: number): EtcdMember[] {
  const names = members === 1 ? ['etcd'] : Array.from({ length: members }, (_, i) => `etcd-${i + 1}`);
  return names.map((name) => ({ name, host: name }));
}

/** The variables that move the published host ports. */
export const PORT_VARIABLES = {
  gateway: 'MICRO_DEV_GATEWAY_PORT',
  proxy: 'MICRO_DEV_PROXY_PORT',
  web: 'MICRO_DEV_WEB_PORT',
  registry: 'MICRO_DEV_REGISTRY_PORT',
} as const;

export interface ComposeInput {
  topology: Topology;
  plans: ContainerPlan[];
  ports: InfraPorts;
  /** Image of a real Consul; absent = the embedded registry in infra. */
  consulImage?: string;
  /** Registry kind etcd: its image and members (etcdComposeMembers). */
  etcd?: { image: string; members: EtcdMember[] };
  nodeImage: string;
  /** micro-dev's launcher and the infra config, as paths inside the app image. */
  microDevBin: string;
  infraConfig: string;
}

type ComposeService = Record<string, unknown>;

export function composeDocument(input: ComposeInput): { services: Record<string, ComposeService> } {
  const { topology, plans, ports } = input;
  const project = topology.name;
  const services: Record<string, ComposeService> = {};
  const bindHost = (host: string) => (host === '127.0.0.1' || host === 'localhost' ? '127.0.0.1:' : '');
  const publish = (part: keyof typeof PORT_VARIABLES, host: string, port: number) => `${bindHost(host)}\${${PORT_VARIABLES[part]}:-${port}}:${port}`;

  if (input.consulImage) {
    services[CONSUL_SERVICE] = {
      image: input.consulImage,
      command: ['agent', '-dev', '-client', '0.0.0.0', '-log-level', 'warn'],
      healthcheck: check(['consul', 'members'], 60_000),
      labels: objectLabels(project, { component: 'registry' }),
    };
  }

  const etcd = input.etcd;
  for (const member of etcd?.members ?? []) {
    services[member.name] = {
      image: etcd!.image,
      command: etcdMemberCommand(member, etcd!.members, project),
      // The first member's client port is published (etcdctl from the host), on the registry's variable.
      ...(member === etcd!.members[0] ? { ports: [`${bindHost(topology.registry.host)}\${${PORT_VARIABLES.registry}:-${ETCD_CLIENT_PORT}}:${ETCD_CLIENT_PORT}`] } : {}),
      healthcheck: check(etcdHealthCommand(), 60_000),
      labels: objectLabels(project, { component: 'registry' }),
    };
  }
  const ownRegistry = !input.consulImage && !etcd;
  const registryDeps = input.consulImage ? [CONSUL_SERVICE] : (etcd?.members.map((m) => m.name) ?? []);

  services[INFRA_SERVICE] = {
    build: { context: './app', args: { BASE_IMAGE: input.nodeImage } },
    command: ['node', input.microDevBin, 'up', '--no-tui', '--no-watch', '-c', input.infraConfig],
    ports: [
      publish('gateway', topology.gateway.host, ports.gateway),
      publish('proxy', topology.proxy.host, ports.proxy),
      publish('web', topology.web.host, ports.web),
      ...(ownRegistry ? [publish('registry', topology.registry.host, ports.registry)] : []),
    ],
    healthcheck: check(['node', '-e', infraCheck(ownRegistry ? ports.registry : undefined, ports.gateway)], 60_000),
    labels: objectLabels(project, { component: 'gateway' }),
    ...(registryDeps.length ? { depends_on: Object.fromEntries(registryDeps.map((name) => [name, { condition: 'service_healthy' }])) } : {}),
  };

  const byName = new Map(plans.map((p) => [p.service.name, p]));
  for (const plan of plans) services[plan.service.name] = serviceEntry(project, plan, byName);
  return { services };
}

function serviceEntry(project: string, plan: ContainerPlan, byName: Map<string, ContainerPlan>): ComposeService {
  const s = plan.service;
  const entry: ComposeService = {};
  if (plan.image.kind === 'app') entry.build = { context: './app', args: { BASE_IMAGE: plan.image.base } };
  else if (plan.image.kind === 'image') entry.image = plan.image.image;
  else entry.build = { context: plan.image.context, dockerfile: plan.image.dockerfile };
  if (plan.command) entry.command = plan.command;
  if (plan.workingDir) entry.working_dir = plan.workingDir;
  entry.environment = plan.env;
  if (s.replicas !== 1) entry.deploy = { replicas: s.replicas };
  const health = composeHealth(plan);
  if (health) entry.healthcheck = health;
  entry.depends_on = {
    [INFRA_SERVICE]: { condition: 'service_healthy' },
    ...Object.fromEntries(s.dependsOn.map((dep) => [dep, { condition: dependencyCondition(s, dep, byName) }])),
  };
  entry.restart = restartPolicy(s);
  entry.stop_grace_period = `${Math.ceil(s.stopTimeoutMs / 1000)}s`;
  entry.labels = objectLabels(project, { component: 'service', service: s.name });
  return entry;
}

/** Compose health checks run in the container: only images known to hold Node get one. */
function composeHealth(plan: ContainerPlan): Record<string, unknown> | undefined {
  if (!plan.health || plan.image.kind !== 'app') return undefined;
  return check(probeCommand(plan.health), plan.service.readiness.timeoutMs);
}

function dependencyCondition(s: ServiceConfig, dep: string, byName: Map<string, ContainerPlan>): string {
  const wanted = s.dependencyConditions?.[dep] ?? 'ready';
  const target = byName.get(dep);
  return wanted === 'ready' && target && composeHealth(target) ? 'service_healthy' : 'service_started';
}

function restartPolicy(s: ServiceConfig): string {
  if (s.restart.policy === 'no') return 'no';
  if (s.restart.policy === 'always') return 'always';
  return s.restart.maxRestarts > 0 ? `on-failure:${s.restart.maxRestarts}` : 'on-failure';
}

/**
 * A health check every 2 s; failures in the start period (the readiness timeout, at least 30 s: a container's
 * first start is slower than a worker's) do not count, then 5 in a row make the container unhealthy.
 */
function check(test: string[], timeoutMs: number): Record<string, unknown> {
  return { test: ['CMD', ...test], interval: '2s', timeout: '5s', retries: 5, start_period: `${Math.ceil(Math.max(timeoutMs, 30_000) / 1000)}s` };
}

/** infra is healthy when its registry (if embedded) and its gateway answer. */
function infraCheck(registryPort: number | undefined, gatewayPort: number): string {
  const urls = [...(registryPort ? [`http://127.0.0.1:${registryPort}/v1/status/leader`] : []), `http://127.0.0.1:${gatewayPort}/`];
  return `Promise.all(${JSON.stringify(urls)}.map(u=>fetch(u))).then(()=>process.exit(0),()=>process.exit(1))`;
}
