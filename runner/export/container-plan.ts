/**
 * How each service of a topology runs as a container outside micro-dev (Compose, Kubernetes): which image,
 * which command in which folder, which port, which MICRO_* environment and which health check. Pure: the
 * exporters turn a plan into their own format.
 *
 *   worker    module  -> the app image (project + dependencies on a Node base), `node /app/<module>`
 *   process   command -> the app image on the service's base (--base S=IMAGE), the command in /app/<cwd>
 *   container image   -> that image and command; micro-dev's own base image -> the app image, as a worker
 *             dockerfile -> built from its context
 *
 * Inside a container every service listens on 0.0.0.0:<port> (its own port, or 8080) and registers the
 * address its peers dial (the kit picks the container's IP, as go-micro does; Kubernetes passes the pod IP).
 */
import path from 'node:path';
import type { ServiceConfig, Topology } from '../config/topology.ts';
import { instanceEnv } from '../engine/instance-env.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';

export const APP_DIR = '/app';
/** The port a service listens on in its container when the topology fixes none. */
export const DEFAULT_SERVICE_PORT = 8080;

export type ImagePlan =
  /** Built from the staged app context (Dockerfile `FROM ${BASE_IMAGE}`), on this base image. */
  | { kind: 'app'; base: string }
  | { kind: 'image'; image: string }
  | { kind: 'dockerfile'; context: string; dockerfile: string };

export type HealthPlan =
  | { kind: 'http'; path: string; port: number; status: number }
  | { kind: 'tcp'; port: number }
  /** A command run in the container (exit 0 = ready): the registered-and-passing check. */
  | { kind: 'exec'; command: string[] };

export interface ContainerPlan {
  service: ServiceConfig;
  image: ImagePlan;
  command?: string[];
  workingDir?: string;
  port: number;
  env: Record<string, string>;
  health?: HealthPlan;
  /** Something the export could not carry over faithfully, for the user to read. */
  warnings: string[];
}

/** Where the infrastructure is as containers see it. */
export interface InfraAddresses {
  /** host:port of the Consul HTTP API (embedded registry or a real Consul). */
  consul: string;
  /** Registry kind etcd: the client endpoints (host:port, comma separated); services register there. */
  etcd?: string;
  /** host:port of the Eureka / Nacos faces, when the embedded registry serves them. */
  eureka?: string;
  nacos?: string;
  broker?: string;
}

export interface PlanOptions {
  projectRoot: string;
  /** Base of the app image for Node code (micro-dev/node:24 here; node:24-slim where images can be pulled). */
  nodeImage: string;
  /** Per process service: the base its command runs on (a Go or Python toolchain image). */
  bases: Record<string, string>;
  infra: InfraAddresses;
}

export function planContainers(topology: Topology, options: PlanOptions): ContainerPlan[] {
  for (const name of Object.keys(options.bases)) {
    const service = topology.services.find((s) => s.name === name);
    if (!service) throw new MicroDevError('BAD_ARGUMENTS', `--base ${name}=...: the topology has no service ${name} (services: ${topology.services.map((s) => s.name).join(', ')})`);
  }
  return topology.services.map((s) => planContainer(topology, s, options));
}

function planContainer(topology: Topology, service: ServiceConfig, options: PlanOptions): ContainerPlan {
  const inApp = (file: string) => appPath(options.projectRoot, file, service.name);
  const port = service.port || DEFAULT_SERVICE_PORT;
  const warnings: string[] = [];
  const app: ImagePlan = { kind: 'app', base: options.bases[service.name] ?? options.nodeImage };
  let image: ImagePlan = app;
  let command: string[] | undefined;
  let workingDir: string | undefined = inApp(service.cwd);

  if (service.runtime === 'worker') {
    command = ['node', inApp(service.module!)];
  } else if (service.runtime === 'process') {
    command = service.command;
    if (!options.bases[service.name] && command?.[0] !== 'node') {
      warnings.push(`${service.name}: its command (${command?.join(' ')}) runs on ${options.nodeImage}, which holds only Node; give its toolchain with --base ${service.name}=IMAGE`);
    }
  } else {
    const c = service.container ?? { reach: 'published' as const };
    command = service.command;
    if (c.dockerfile) {
      const context = path.resolve(service.cwd, c.context ?? '.');
      image = { kind: 'dockerfile', context, dockerfile: path.relative(context, path.resolve(service.cwd, c.dockerfile)) };
      workingDir = undefined;
    } else if (c.image && !/^micro-dev\/node(:|$)/.test(c.image)) {
      image = { kind: 'image', image: c.image };
      workingDir = undefined;
    }
    // On micro-dev's own base image the project was bind-mounted at the same path: here it is in /app.
  }

  const addresses = registryFor(service, options.infra);
  const { env } = instanceEnv(topology, service, 1, {
    registry: addresses,
    ...(options.infra.broker ? { broker: options.infra.broker } : {}),
    server: `0.0.0.0:${port}`,
  });
  // Per instance under micro-dev; a container learns its own (the kit makes an id, the image has a PATH).
  for (const key of ['MICRO_SERVER_ID', 'MICRO_DEV_INSTANCE', 'PATH', 'HOME']) {
    if (!(key in service.env)) delete env[key];
  }
  if (topology.registry.timeScale === 1) delete env.MICRO_DEV_TIME_SCALE;
  // The instance id is per replica under micro-dev; here every replica shares one environment (the
  // OpenTelemetry SDK then identifies each by its own process).
  if (env.OTEL_RESOURCE_ATTRIBUTES && !('OTEL_RESOURCE_ATTRIBUTES' in service.env)) {
    env.OTEL_RESOURCE_ATTRIBUTES = env.OTEL_RESOURCE_ATTRIBUTES.split(',').filter((kv) => !kv.startsWith('service.instance.id=')).join(',');
  }

  return { service, image, ...(command ? { command } : {}), ...(workingDir ? { workingDir } : {}), port, env, health: healthFor(service, port, options.infra, image), warnings };
}

function registryFor(service: ServiceConfig, infra: InfraAddresses): string {
  if (infra.etcd) return infra.etcd;
  if (service.registry === 'eureka' && infra.eureka) return infra.eureka;
  if (service.registry === 'nacos' && infra.nacos) return infra.nacos;
  return infra.consul;
}

function healthFor(service: ServiceConfig, port: number, infra: InfraAddresses, image: ImagePlan): HealthPlan | undefined {
  const r = service.readiness;
  if (r.kind === 'http') return { kind: 'http', path: r.path, port: r.port ?? port, status: r.status };
  if (r.kind === 'tcp') return { kind: 'tcp', port: r.port ?? port };
  // A check command needs Node in the image: the app image has it, a user's image may not.
  if (image.kind !== 'app') return { kind: 'tcp', port };
  if (r.kind === 'registered') return { kind: 'exec', command: ['node', '-e', infra.etcd ? registeredInEtcdCheck(infra.etcd, port) : registeredCheck(infra.consul, port)] };
  return { kind: 'tcp', port }; // a log line has no container equivalent: the port answering is the closest
}

/**
 * `readiness: registered` as a command: this container's address (any of its IPs, this port) is in the
 * registry and its check passes. Exit 0 when so, 1 otherwise (also when the registry cannot be reached).
 */
export function registeredCheck(consul: string, port: number): string {
  return [
    `const ips=new Set(Object.values(require('node:os').networkInterfaces()).flat().map(a=>a.address));`,
    `const base='http://${consul}';`,
    `(async()=>{const all=await(await fetch(base+'/v1/agent/services')).json();`,
    `const mine=Object.values(all).find(s=>ips.has(s.Address)&&s.Port===${port});`,
    `if(!mine)process.exit(1);`,
    `const h=await(await fetch(base+'/v1/health/service/'+encodeURIComponent(mine.Service)+'?passing')).json();`,
    `process.exit(h.some(e=>e.Service.ID===mine.ID)?0:1)})().catch(()=>process.exit(1))`,
  ].join('');
}

/**
 * `readiness: registered` with registry kind etcd: a node with this container's address (any of its IPs, this
 * port) is under /micro/registry/ (its key lives as long as its lease), read through etcd's JSON gateway
 * (`/v3/kv/range`) from the first endpoint that answers. Exit 0 when so, 1 otherwise.
 */
export function registeredInEtcdCheck(endpoints: string, port: number): string {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return [
    `const ips=new Set(Object.values(require('node:os').networkInterfaces()).flat().map(a=>a.address));`,
    `const body=JSON.stringify({key:'${b64('/micro/registry/')}',range_end:'${b64('/micro/registry0')}'});`,
    `(async()=>{for(const e of ${JSON.stringify(endpoints.split(','))}){`,
    `const r=await fetch('http://'+e+'/v3/kv/range',{method:'POST',body,signal:AbortSignal.timeout(2000)}).then(r=>r.ok?r.json():undefined,()=>undefined);`,
    `if(!r)continue;`,
    `const nodes=(r.kvs||[]).flatMap(kv=>{try{return JSON.parse(Buffer.from(kv.value,'base64').toString()).nodes||[]}catch{return[]}});`,
    `process.exit(nodes.some(n=>{const i=String(n.address).lastIndexOf(':');return ips.has(n.address.slice(0,i))&&Number(n.address.slice(i+1))===${port}})?0:1)}`,
    `process.exit(1)})().catch(()=>process.exit(1))`,
  ].join('');
}

/** The command of an HTTP or TCP check, for images that have Node (Compose health checks). */
export function probeCommand(health: HealthPlan): string[] {
  if (health.kind === 'exec') return health.command;
  if (health.kind === 'http') {
    return ['node', '-e', `fetch('http://127.0.0.1:${health.port}${health.path}').then(r=>process.exit(r.status===${health.status}?0:1),()=>process.exit(1))`];
  }
  return ['node', '-e', `require('node:net').connect(${health.port},'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`];
}

/** A file's path inside the app image; a file outside the project cannot be in it. */
export function appPath(projectRoot: string, file: string, service: string): string {
  const rel = path.relative(projectRoot, path.resolve(projectRoot, file));
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new MicroDevError('CONFIG_INVALID', `service ${service}: ${file} is outside the project folder ${projectRoot}; the export copies only that folder into the image`);
  }
  return rel === '' ? APP_DIR : path.posix.join(APP_DIR, ...rel.split(path.sep));
}
